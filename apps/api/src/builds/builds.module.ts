import { Module } from '@nestjs/common';
import { BuildsModule as BuildsStoreModule } from '#libs/builds';
import { RegistryModule } from '#libs/registry';
import { RuntimesModule } from '#libs/runtimes';
import { BuildsController } from './builds.controller.js';
import { CancelBuildUseCase } from './cancel-build.use-case.js';
import { CleanupBuildsUseCase } from './cleanup-builds.use-case.js';
import { PushedImagesListener } from './pushed-images.listener.js';
import { StartBuildUseCase } from './start-build.use-case.js';
import { LogFollowerSlots } from './log-follower.slots.js';
import { TenantSourcePolicy } from './tenant-source.policy.js';

@Module({
  imports: [BuildsStoreModule, RuntimesModule, RegistryModule],
  controllers: [BuildsController],
  providers: [StartBuildUseCase, TenantSourcePolicy, LogFollowerSlots, CleanupBuildsUseCase, CancelBuildUseCase, PushedImagesListener],
})
export class BuildsApiModule {}
