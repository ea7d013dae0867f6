import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { BuildQueue } from '#libs/queues';
import { withDeadline } from '../deadline.js';

const READ_DEADLINE_MS = 1_000;

/** Jobs of the build queue by state, read from BullMQ at scrape time. */
@Injectable()
export class QueueDepthCollector {
  private readonly logger = new Logger(QueueDepthCollector.name);

  constructor(queue: BuildQueue, registry: Registry) {
    const logger = this.logger;
    new Gauge({
      name: 'deployer_queue_jobs',
      help: 'Jobs in the build queue by state (finished jobs are kept for a bounded time)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        try {
          const counts = await withDeadline(queue.counts(), READ_DEADLINE_MS, 'Redis');
          this.reset();
          for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
        } catch (error) {
          this.reset();
          logger.warn(`Queue depth left out: ${(error as Error).message}`);
        }
      },
    });
  }
}
