import { Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';
import { MetricsKeys } from './metrics-keys.js';

export const CLEANUP_OUTCOMES = ['complete', 'partial'] as const;
export const CLEANUP_DELETED = ['jobs', 'records'] as const;
export type CleanupOutcome = (typeof CLEANUP_OUTCOMES)[number];
export type CleanupDeleted = (typeof CLEANUP_DELETED)[number];

/** What one cleanup run did: `partial` when it stopped early and left the rest for the next run. */
export interface CleanupRun {
  partial: boolean;
  jobsDeleted: number;
  recordsDeleted: number;
}

export interface CleanupTotals {
  runs: Record<CleanupOutcome, number>;
  deleted: Record<CleanupDeleted, number>;
}

const runField = (outcome: CleanupOutcome) => `runs:${outcome}`;
const deletedField = (what: CleanupDeleted) => `deleted:${what}`;

/**
 * Cleanup runs and what they deleted, counted by whichever worker ran them
 * and read by whichever API replica is scraped: one Redis hash of counters.
 */
@Injectable()
@TranslateRedisFailures()
export class CleanupRunMetrics {
  private readonly logger = new Logger(CleanupRunMetrics.name);
  private readonly key: string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.key = new MetricsKeys(config.REDIS_PREFIX).cleanupRuns();
  }

  /** Best effort: a metric that cannot be written never fails the cleanup it counts. */
  async record(run: CleanupRun): Promise<void> {
    try {
      await this.redis
        .multi()
        .hincrby(this.key, runField(run.partial ? 'partial' : 'complete'), 1)
        .hincrby(this.key, deletedField('jobs'), run.jobsDeleted)
        .hincrby(this.key, deletedField('records'), run.recordsDeleted)
        .exec();
    } catch (error) {
      this.logger.warn(`Cannot record a cleanup run: ${(error as Error).message}`);
    }
  }

  /** Totals of every worker so far; zero for what never happened. */
  async totals(): Promise<CleanupTotals> {
    const hash = await this.redis.hgetall(this.key);
    const count = (field: string) => Number(hash[field] ?? 0) || 0;
    return {
      runs: { complete: count(runField('complete')), partial: count(runField('partial')) },
      deleted: { jobs: count(deletedField('jobs')), records: count(deletedField('records')) },
    };
  }
}
