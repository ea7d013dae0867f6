import { DynamicModule, Module } from '@nestjs/common';
import { BuildStoreModule } from '#libs/builds';
import { ConfigModule, DeployerEnvironment } from '#libs/config';
import { QueuesModule } from '#libs/queues';
import { RedisModule } from '#libs/redis';
import { BuildIntakeMover } from './build-intake.mover.js';

/**
 * The intake mover every worker runs, as an application of its own: builds
 * accepted reach the queue as in a deployment, and nothing consumes them.
 * For suites and benchmarks that look at the queue or the API alone.
 */
@Module({})
export class IntakeMoverModule {
  static forRoot(config: DeployerEnvironment): DynamicModule {
    return {
      module: IntakeMoverModule,
      imports: [ConfigModule.forRoot(config), RedisModule, BuildStoreModule, QueuesModule],
      providers: [BuildIntakeMover],
    };
  }
}
