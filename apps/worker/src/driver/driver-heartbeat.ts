import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WorkerHeartbeatsRepository } from '#libs/builds';
import { BuildDriver } from '#libs/drivers';
import { DriverReadiness } from './driver-readiness.js';

const HEARTBEAT_MS = 15_000;

/** Tells the API replicas, every few seconds once it first was, whether this worker's driver is ready. */
@Injectable()
export class DriverHeartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(DriverHeartbeat.name);
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly driver: BuildDriver,
    private readonly readiness: DriverReadiness,
    private readonly heartbeats: WorkerHeartbeatsRepository,
  ) {}

  onApplicationBootstrap(): void {
    void this.start();
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.heartbeats.stop().catch(() => undefined);
  }

  private async start(): Promise<void> {
    if (!(await this.readiness.whenReady()) || this.stopping) return;
    await this.heartbeats.beat(this.driver.name).catch(() => undefined);
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.driver.ready();
      await this.heartbeats.beat(this.driver.name);
    } catch (error) {
      this.logger.warn(`The ${this.driver.name} driver is not ready: ${(error as Error).message}`);
      await this.heartbeats.stop().catch(() => undefined);
    }
  }
}
