import { DynamicModule, Global, Module } from '@nestjs/common';
import { DeployerEnvironment } from './deployer-config.js';
import { loadConfig } from './load-config.js';

/** Provides the validated configuration under its class as the token. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: DeployerEnvironment = loadConfig()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: DeployerEnvironment, useValue: config }],
      exports: [DeployerEnvironment],
    };
  }
}
