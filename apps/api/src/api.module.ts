import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '#libs/auth';
import { ConfigModule, DeployerEnvironment } from '#libs/config';
import { RedisModule } from '#libs/redis';
import { authOptionsFrom } from './auth-options.js';
import { BuildsApiModule } from './builds/builds.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { ClusterRegistryModule } from './registry/cluster-registry.module.js';
import { RegistryViewsModule } from './registry-views/registry-views.module.js';

/** The HTTP side: no processors live here. */
@Module({})
export class ApiModule {
  static forRoot(config: DeployerEnvironment): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        AuthModule.register(authOptionsFrom(config)),
        OperationsModule,
        ClusterRegistryModule.forDriver(config),
        BuildsApiModule,
        RegistryViewsModule,
      ],
    };
  }
}
