import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeployerEnvironment } from '#libs/config';

/**
 * The API's side of a graceful stop. On SIGTERM, before the HTTP server
 * closes: readiness turns 503 at once, log follow streams end with a line
 * telling the client to reconnect, and for SHUTDOWN_DRAIN_SECONDS the API
 * goes on answering, while the Service stops sending it requests. Then Nest
 * closes the server, which answers the requests in flight before it ends.
 */
@Injectable()
export class ShutdownDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownDrain.name);
  private readonly stopping = new AbortController();

  constructor(private readonly config: DeployerEnvironment) {}

  get draining(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Aborted when the shutdown begins. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopping.abort();
    this.logger.log(`Shutting down${signal ? ` on ${signal}` : ''}: readiness is 503, draining for ${this.config.SHUTDOWN_DRAIN_SECONDS} s`);
    await sleep(this.config.SHUTDOWN_DRAIN_SECONDS * 1000);
  }
}
