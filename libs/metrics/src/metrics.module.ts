import { Module } from '@nestjs/common';
import { BuildOutcomeMetrics } from './build-outcome.metrics.js';

/** Metrics shared between processes through Redis (needs RedisModule and ConfigModule). */
@Module({
  providers: [BuildOutcomeMetrics],
  exports: [BuildOutcomeMetrics],
})
export class MetricsModule {}
