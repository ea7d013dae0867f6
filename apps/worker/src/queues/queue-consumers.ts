import { BUILD_QUEUE, CLEANUP_QUEUE, QueueName } from '#libs/queues';
import type { DeployerEnvironment } from '#libs/config';

/** How this worker consumes a queue. */
export interface QueueConsumer {
  concurrency: number;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
  /** Taken only once the driver is ready, so the first jobs are not failed by a builder that is still starting. */
  waitsForDriver: boolean;
}

/**
 * One table, from the validated configuration at boot (which @Processor
 * options cannot take): a build's slot is the concurrency limit; one cleanup
 * at a time per worker.
 */
export const queueConsumers = (config: DeployerEnvironment): Record<QueueName, QueueConsumer> => ({
  [BUILD_QUEUE]: {
    concurrency: config.BUILD_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: 5,
    waitsForDriver: true,
  },
  [CLEANUP_QUEUE]: { concurrency: 1, waitsForDriver: false },
});
