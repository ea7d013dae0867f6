import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { FailureReason } from '#libs/errors';
import { BuildOutcomeMetrics, HistogramSeries } from '#libs/metrics';
import { withDeadline } from '../deadline.js';
import { SnapshotHistogram } from './snapshot-histogram.js';

const READ_DEADLINE_MS = 1_000;

/**
 * Build outcomes, recorded in Redis by whichever worker finished the build,
 * exposed at scrape time. Both metrics come from one read per scrape.
 */
@Injectable()
export class BuildOutcomeCollector {
  private readonly logger = new Logger(BuildOutcomeCollector.name);
  private reading?: Promise<HistogramSeries[]>;

  constructor(
    private readonly outcomes: BuildOutcomeMetrics,
    registry: Registry,
  ) {
    const read = () => this.read();
    new Counter({
      name: 'deployer_builds_finished_total',
      help: 'Builds that finished, by kind and final state (all workers)',
      labelNames: ['kind', 'state'],
      registers: [registry],
      async collect() {
        const series = await read();
        this.reset();
        for (const s of series) this.inc(s.labels, s.count);
      },
    });
    const failures = () => this.readFailures();
    new Counter({
      name: 'deployer_build_failures_total',
      help: 'Builds that failed, by reason of the failure catalogue (all workers)',
      labelNames: ['reason'],
      registers: [registry],
      async collect() {
        const counts = await failures();
        this.reset();
        for (const [reason, count] of Object.entries(counts)) this.inc({ reason }, count);
      },
    });
    new SnapshotHistogram(
      'deployer_build_duration_seconds',
      'Time from a build starting to run to its outcome, by kind and final state (all workers)',
      read,
      registry,
    );
  }

  private readFailures(): Promise<Partial<Record<FailureReason, number>>> {
    return withDeadline(this.outcomes.failures(), READ_DEADLINE_MS, 'Redis').catch((error: Error) => {
      this.logger.warn(`Build failure metrics left out: ${error.message}`);
      return {};
    });
  }

  /** Shared by the metrics of one scrape; empty when Redis does not answer. */
  private read(): Promise<HistogramSeries[]> {
    this.reading ??= withDeadline(this.outcomes.durations(), READ_DEADLINE_MS, 'Redis')
      .catch((error: Error) => {
        this.logger.warn(`Build outcome metrics left out: ${error.message}`);
        return [];
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
