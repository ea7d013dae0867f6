import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { CLEANUP_DELETED, CLEANUP_OUTCOMES, CleanupRunMetrics, CleanupTotals } from '#libs/metrics';
import { withDeadline } from '../deadline.js';

const READ_DEADLINE_MS = 1_000;

/**
 * Cleanup runs and what they deleted, counted in Redis by whichever worker
 * ran them, exposed at scrape time from one read; left out of a scrape when
 * Redis does not answer.
 */
@Injectable()
export class CleanupRunCollector {
  private readonly logger = new Logger(CleanupRunCollector.name);
  private reading?: Promise<CleanupTotals | null>;

  constructor(
    private readonly metrics: CleanupRunMetrics,
    registry: Registry,
  ) {
    const read = () => this.read();
    new Counter({
      name: 'deployer_cleanup_runs_total',
      help: 'Cleanup runs by outcome: complete, or partial when an error stopped it early (all workers)',
      labelNames: ['outcome'],
      registers: [registry],
      async collect() {
        const totals = await read();
        this.reset();
        if (totals) for (const outcome of CLEANUP_OUTCOMES) this.inc({ outcome }, totals.runs[outcome]);
      },
    });
    new Counter({
      name: 'deployer_cleanup_deleted_total',
      help: 'What cleanup runs deleted: builder jobs (Kubernetes Jobs or local images) and build records (all workers)',
      labelNames: ['what'],
      registers: [registry],
      async collect() {
        const totals = await read();
        this.reset();
        if (totals) for (const what of CLEANUP_DELETED) this.inc({ what }, totals.deleted[what]);
      },
    });
  }

  /** Shared by the metrics of one scrape; null when Redis does not answer. */
  private read(): Promise<CleanupTotals | null> {
    this.reading ??= withDeadline(this.metrics.totals(), READ_DEADLINE_MS, 'Redis')
      .catch((error: Error) => {
        this.logger.warn(`Cleanup metrics left out: ${error.message}`);
        return null;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
