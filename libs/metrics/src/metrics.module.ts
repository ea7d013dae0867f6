import { Module } from '@nestjs/common';
import { BuildOutcomeMetrics } from './build-outcome.metrics.js';
import { CleanupRunMetrics } from './cleanup-run.metrics.js';

/** Metrics shared between processes through Redis (needs RedisModule and ConfigModule). */
@Module({
  providers: [BuildOutcomeMetrics, CleanupRunMetrics],
  exports: [BuildOutcomeMetrics, CleanupRunMetrics],
})
export class MetricsModule {}
