import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BuildsModule } from '#libs/builds';
import { ConfigModule, DeployerEnvironment } from '#libs/config';
import { DriversModule } from '#libs/drivers';
import { MetricsModule } from '#libs/metrics';
import { RedisModule } from '#libs/redis';
import { RegistryModule } from '#libs/registry';
import { RuntimesModule } from '#libs/runtimes';
import { BaseImageUserResolver } from './builds/base-image-user.resolver.js';
import { BuildWorker } from './builds/build.worker.js';
import { InstallSecrets } from './builds/install-secrets.js';
import { OrphanBuildsReconciler } from './builds/orphan-builds.reconciler.js';
import { RunBuildUseCase } from './builds/run-build.use-case.js';
import { UserRunningCap } from './builds/user-running-cap.js';
import { CleanupScheduler } from './maintenance/cleanup.scheduler.js';
import { CleanupWorker } from './maintenance/cleanup.worker.js';
import { RunCleanupUseCase } from './maintenance/run-cleanup.use-case.js';

/** The queue consumers and the cleanup scheduler: no controllers live here. */
@Module({})
export class WorkerModule {
  static forRoot(config: DeployerEnvironment): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        RedisModule,
        BuildsModule,
        RuntimesModule,
        DriversModule,
        RegistryModule,
        MetricsModule,
      ],
      providers: [BaseImageUserResolver, InstallSecrets, RunBuildUseCase, UserRunningCap, BuildWorker, OrphanBuildsReconciler, RunCleanupUseCase, CleanupWorker, CleanupScheduler],
      exports: [BuildWorker, CleanupScheduler],
    };
  }
}
