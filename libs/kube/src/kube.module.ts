import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { kubernetesRepositoryFrom } from './kube-config.js';
import { KubernetesRepository } from './kubernetes.repository.js';

@Module({
  providers: [{ provide: KubernetesRepository, useFactory: kubernetesRepositoryFrom, inject: [DeployerEnvironment] }],
  exports: [KubernetesRepository],
})
export class KubeModule {}
