import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { BuildDriver } from './build-driver.js';
import { LocalBuildDriver } from './local/local.build-driver.js';

/** Chooses the build driver named by BUILD_DRIVER. */
@Module({
  providers: [
    {
      provide: BuildDriver,
      inject: [DeployerEnvironment],
      useFactory: (config: DeployerEnvironment): BuildDriver => {
        switch (config.BUILD_DRIVER) {
          case 'local':
            return new LocalBuildDriver(config);
          case 'kubernetes':
            throw new Error('BUILD_DRIVER=kubernetes is not available in this version; use BUILD_DRIVER=local');
        }
      },
    },
  ],
  exports: [BuildDriver],
})
export class DriversModule {}
