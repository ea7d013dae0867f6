import { DynamicModule, Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { driverProfileOf } from '#libs/drivers';
import { KubeModule } from '#libs/kube';
import { ClusterRegistryHost } from '#libs/registry';
import { OperatorRegistryHost } from './operator-registry-host.js';

/** When builds run in a cluster, the registry hosts its Operator announces; nothing otherwise. */
@Module({})
export class ClusterRegistryModule {
  static forDriver(config: DeployerEnvironment): DynamicModule {
    if (!driverProfileOf(config).inCluster) return { module: ClusterRegistryModule };
    return {
      module: ClusterRegistryModule,
      global: true,
      imports: [KubeModule],
      providers: [{ provide: ClusterRegistryHost, useClass: OperatorRegistryHost }],
      exports: [ClusterRegistryHost],
    };
  }
}
