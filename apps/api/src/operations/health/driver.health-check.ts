import { Injectable } from '@nestjs/common';
import { WorkerHeartbeatsRepository } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { HealthCheck } from './health-check.js';

/**
 * Whether some worker's build driver (BUILD_DRIVER) is ready. Reported, but
 * not critical: builds accepted while no worker runs wait safely in the
 * queue, so the API stays ready.
 */
@Injectable()
export class DriverHealthCheck implements HealthCheck {
  readonly name = 'driver';
  readonly critical = false;

  constructor(
    private readonly heartbeats: WorkerHeartbeatsRepository,
    private readonly config: DeployerEnvironment,
  ) {}

  async check(): Promise<void> {
    const drivers = await this.heartbeats.drivers();
    if (!drivers.includes(this.config.BUILD_DRIVER)) {
      throw new Error(`no worker reports a ready ${this.config.BUILD_DRIVER} driver`);
    }
  }
}
