import { Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { FAILURE_REASON_NAMES, FailureReason } from '#libs/errors';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';
import { MetricsKeys } from './metrics-keys.js';
import { HistogramSeries, RedisHistogram } from './redis-histogram.js';

/** Seconds; builds range from a re-tag (about a second) to the 30-minute default deadline. */
export const BUILD_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** What an outcome is recorded from: the build record after it finished. */
export interface FinishedBuild {
  kind: string;
  state: string;
  /** Why a failed build failed (the failure catalogue); empty otherwise. */
  reason?: FailureReason | '';
  /** Epoch milliseconds; 0 when the build never ran. */
  startedAt: number;
  finishedAt: number;
}

/**
 * Build outcomes and durations, written by whichever worker finished the
 * build and read by whichever API replica is scraped: they live in Redis,
 * not in a process.
 */
@Injectable()
@TranslateRedisFailures()
export class BuildOutcomeMetrics {
  private readonly logger = new Logger(BuildOutcomeMetrics.name);
  private readonly histogram = new RedisHistogram(['kind', 'state'], BUILD_DURATION_BUCKETS);
  private readonly key: string;
  private readonly failuresKey: string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    const keys = new MetricsKeys(config.REDIS_PREFIX);
    this.key = keys.buildDuration();
    this.failuresKey = keys.buildFailures();
  }

  /** Best effort: a metric that cannot be written never fails the build that produced it. */
  async record(build: FinishedBuild): Promise<void> {
    const ran = build.startedAt > 0 && build.finishedAt >= build.startedAt;
    const seconds = ran ? (build.finishedAt - build.startedAt) / 1000 : 0;
    const { bucketField, sumField } = this.histogram.increment({ kind: build.kind, state: build.state }, seconds);
    try {
      const write = this.redis.multi().hincrby(this.key, bucketField, 1).hincrbyfloat(this.key, sumField, seconds);
      if (build.state === 'failed' && build.reason) write.hincrby(this.failuresKey, build.reason, 1);
      await write.exec();
    } catch (error) {
      this.logger.warn(`Cannot record the outcome of a ${build.kind} build: ${(error as Error).message}`);
    }
  }

  /** Every kind and state seen so far; the count of each series is its number of finished builds. */
  async durations(): Promise<HistogramSeries[]> {
    return this.histogram.read(await this.redis.hgetall(this.key));
  }

  /** Failed builds by reason: every reason of the catalogue, 0 when none failed so. */
  async failures(): Promise<Record<FailureReason, number>> {
    const counts = await this.redis.hgetall(this.failuresKey);
    return Object.fromEntries(FAILURE_REASON_NAMES.map((reason) => [reason, Number(counts[reason] ?? 0)])) as Record<FailureReason, number>;
  }
}
