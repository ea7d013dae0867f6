import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Registry } from 'prom-client';
import { BuildStoreModule } from '#libs/builds';
import { MetricsModule } from '#libs/metrics';
import { QueuesModule } from '#libs/queues';
import { DriverHealthCheck } from './health/driver.health-check.js';
import { HEALTH_CHECKS } from './health/health-check.js';
import { HealthController } from './health/health.controller.js';
import { Readiness } from './health/readiness.js';
import { RedisHealthCheck } from './health/redis.health-check.js';
import { BuildOutcomeCollector } from './metrics/build-outcome.collector.js';
import { BuildRequestMetrics } from './metrics/build-request.metrics.js';
import { CleanupRunCollector } from './metrics/cleanup-run.collector.js';
import { HttpRequestMetrics } from './metrics/http-request.metrics.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { QueueDepthCollector } from './metrics/queue-depth.collector.js';
import { RouteTemplates } from './metrics/route-templates.js';
import { ShutdownDrain } from './shutdown/shutdown-drain.js';

/**
 * Health and metrics. Global so that feature controllers can count what they
 * answer without importing it. The registry is our own, not prom-client's
 * global one, so two applications in one process never share figures.
 */
@Global()
@Module({
  imports: [DiscoveryModule, BuildStoreModule, QueuesModule, MetricsModule],
  controllers: [HealthController, MetricsController],
  providers: [
    { provide: Registry, useFactory: () => new Registry() },
    RedisHealthCheck,
    DriverHealthCheck,
    {
      provide: HEALTH_CHECKS,
      useFactory: (redis: RedisHealthCheck, driver: DriverHealthCheck) => [redis, driver],
      inject: [RedisHealthCheck, DriverHealthCheck],
    },
    Readiness,
    HttpRequestMetrics,
    BuildRequestMetrics,
    BuildOutcomeCollector,
    CleanupRunCollector,
    QueueDepthCollector,
    RouteTemplates,
    ShutdownDrain,
  ],
  exports: [HttpRequestMetrics, BuildRequestMetrics, RouteTemplates, ShutdownDrain],
})
export class OperationsModule {}
