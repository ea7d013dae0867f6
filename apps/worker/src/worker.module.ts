import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { BuildStoreModule } from '#libs/builds';
import { ConfigModule, DeployerEnvironment } from '#libs/config';
import { DriversModule } from '#libs/drivers';
import { MetricsModule } from '#libs/metrics';
import { QueuesModule } from '#libs/queues';
import { RedisModule } from '#libs/redis';
import { RegistryModule } from '#libs/registry';
import { RuntimesModule } from '#libs/runtimes';
import { BaseImageUserResolver } from './builds/base-image-user.resolver.js';
import { BuildIntakeMover } from './builds/build-intake.mover.js';
import { BuildJobHandler } from './builds/build-job.handler.js';
import { InstallSecrets } from './builds/install-secrets.js';
import { OrphanBuildsReconciler } from './builds/orphan-builds.reconciler.js';
import { RunBuildUseCase } from './builds/run-build.use-case.js';
import { UserRunningCap } from './builds/user-running-cap.js';
import { DriverHeartbeat } from './driver/driver-heartbeat.js';
import { DriverReadiness } from './driver/driver-readiness.js';
import { CleanupJobHandler } from './maintenance/cleanup-job.handler.js';
import { CleanupScheduler } from './maintenance/cleanup.scheduler.js';
import { RunCleanupUseCase } from './maintenance/run-cleanup.use-case.js';
import { JobHandlers } from './queues/job-handlers.js';
import { WorkerHost } from './queues/worker-host.js';

/** The queue consumers and the cleanup scheduler: no controllers live here. */
@Module({})
export class WorkerModule {
  static forRoot(config: DeployerEnvironment): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        DiscoveryModule,
        RedisModule,
        BuildStoreModule,
        QueuesModule,
        RuntimesModule,
        DriversModule,
        RegistryModule,
        MetricsModule,
      ],
      providers: [
        DriverReadiness,
        DriverHeartbeat,
        JobHandlers,
        WorkerHost,
        BaseImageUserResolver,
        InstallSecrets,
        RunBuildUseCase,
        UserRunningCap,
        BuildJobHandler,
        OrphanBuildsReconciler,
        BuildIntakeMover,
        RunCleanupUseCase,
        CleanupJobHandler,
        CleanupScheduler,
      ],
      exports: [CleanupScheduler],
    };
  }
}
