import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { BuildDriver } from '#libs/drivers';

const READY_RETRY_MS = 2_000;

/** Waits, asking every few seconds, until the build driver is ready; workers pause until then. */
@Injectable()
export class DriverReadiness implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DriverReadiness.name);
  private stopping = false;
  private ready?: Promise<boolean>;

  constructor(private readonly driver: BuildDriver) {}

  /** True once the driver is ready; false when the worker stops first. */
  whenReady(): Promise<boolean> {
    this.ready ??= this.ask();
    return this.ready;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  private async ask(): Promise<boolean> {
    while (!this.stopping) {
      try {
        await this.driver.ready();
        return true;
      } catch (error) {
        this.logger.warn(`Waiting for the ${this.driver.name} driver: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, READY_RETRY_MS));
      }
    }
    return false;
  }
}
