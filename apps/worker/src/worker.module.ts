import { DynamicModule, Module } from '@nestjs/common';
import { BuildsModule } from '#libs/builds';
import { ConfigModule, DeployerEnvironment } from '#libs/config';
import { DriversModule } from '#libs/drivers';
import { RedisModule } from '#libs/redis';
import { RuntimesModule } from '#libs/runtimes';
import { BuildWorker } from './builds/build.worker.js';
import { RunBuildUseCase } from './builds/run-build.use-case.js';

/** The queue consumers: no controllers live here. */
@Module({})
export class WorkerModule {
  static forRoot(config: DeployerEnvironment): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, BuildsModule, RuntimesModule, DriversModule],
      providers: [RunBuildUseCase, BuildWorker],
      exports: [BuildWorker],
    };
  }
}
