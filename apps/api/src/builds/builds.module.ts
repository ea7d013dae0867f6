import { Module } from '@nestjs/common';
import { BuildersModule } from '#libs/builders';
import { BuildStoreModule } from '#libs/builds';
import { QueuesModule } from '#libs/queues';
import { RegistryModule } from '#libs/registry';
import { RuntimesModule } from '#libs/runtimes';
import { BuildsController } from './builds.controller.js';
import { CancelBuildUseCase } from './cancel-build.use-case.js';
import { CleanupBuildsUseCase } from './cleanup-builds.use-case.js';
import { EnsureBuildStatusUseCase } from './ensure-build-status.use-case.js';
import { EnsureBuildUseCase } from './ensure-build.use-case.js';
import { EnsureBuildsController } from './ensure-builds.controller.js';
import { OwnBuilds } from './own-builds.js';
import { PushedImagesListener } from './pushed-images.listener.js';
import { StartBuildUseCase } from './start-build.use-case.js';
import { LogFollowerSlots } from './log-follower.slots.js';
import { TenantSourcePolicy } from './tenant-source.policy.js';

@Module({
  imports: [BuildStoreModule, QueuesModule, RuntimesModule, RegistryModule, BuildersModule],
  // EnsureBuildsController first: its fixed paths (`capabilities`) must win over `:id`.
  controllers: [EnsureBuildsController, BuildsController],
  providers: [
    StartBuildUseCase,
    OwnBuilds,
    TenantSourcePolicy,
    LogFollowerSlots,
    CleanupBuildsUseCase,
    CancelBuildUseCase,
    PushedImagesListener,
    EnsureBuildUseCase,
    EnsureBuildStatusUseCase,
  ],
})
export class BuildsApiModule {}
