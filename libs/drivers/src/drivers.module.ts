import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { BuildDriver } from './build-driver.js';
import { kubernetesRepositoryFrom } from '#libs/kube';
import { KubernetesBuildDriver } from './kubernetes/kubernetes.build-driver.js';
import { LocalBuildDriver } from './local/local.build-driver.js';

/** Chooses the build driver named by BUILD_DRIVER. */
@Module({
  providers: [
    {
      provide: BuildDriver,
      inject: [DeployerEnvironment],
      useFactory: async (config: DeployerEnvironment): Promise<BuildDriver> => {
        switch (config.BUILD_DRIVER) {
          case 'local':
            return new LocalBuildDriver(config);
          case 'kubernetes':
            return new KubernetesBuildDriver(config, await kubernetesRepositoryFrom(config));
        }
      },
    },
  ],
  exports: [BuildDriver],
})
export class DriversModule {}
