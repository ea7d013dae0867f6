import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { loadKubeConfig } from './kube-config.js';
import { KubernetesRepository } from './kubernetes.repository.js';

export const kubernetesRepositoryFrom = (config: DeployerEnvironment) =>
  new KubernetesRepository(loadKubeConfig(config), config.KUBE_NAMESPACE, {
    retries: config.KUBE_API_RETRIES,
    baseDelayMs: config.KUBE_API_RETRY_BASE_MS,
  });

@Module({
  providers: [{ provide: KubernetesRepository, useFactory: kubernetesRepositoryFrom, inject: [DeployerEnvironment] }],
  exports: [KubernetesRepository],
})
export class KubeModule {}
