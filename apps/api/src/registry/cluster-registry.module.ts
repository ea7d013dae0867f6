import { DynamicModule, Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { KubeModule } from '#libs/kube';
import { ClusterRegistryHost } from '#libs/registry';
import { OperatorRegistryHost } from './operator-registry-host.js';

/** With the kubernetes driver, the registry host the Operator announces; nothing otherwise. */
@Module({})
export class ClusterRegistryModule {
  static forDriver(config: DeployerEnvironment): DynamicModule {
    if (config.BUILD_DRIVER !== 'kubernetes') return { module: ClusterRegistryModule };
    return {
      module: ClusterRegistryModule,
      global: true,
      imports: [KubeModule],
      providers: [{ provide: ClusterRegistryHost, useClass: OperatorRegistryHost }],
      exports: [ClusterRegistryHost],
    };
  }
}
