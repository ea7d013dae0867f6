import { Injectable } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { DeployerEnvironment } from '#libs/config';
import { redisConnectionOptions } from '#libs/redis';
import {
  CLEANUP_QUEUE,
  CleanupJobPayload,
  CleanupJobResult,
  JobName,
  requestedCleanupDeduplication,
  scheduledCleanupJobId,
} from './job-catalogue.js';
import { JobQueues } from './job-queues.js';

/** The producer side of the maintenance queue. */
@Injectable()
export class CleanupQueue {
  constructor(
    private readonly jobs: JobQueues,
    private readonly config: DeployerEnvironment,
  ) {}

  /** Enqueues the cleanup of a cron window; a second call for the same window is a no-op. */
  async scheduleWindow(windowStart: Date, payload: CleanupJobPayload): Promise<string> {
    const job = await this.jobs.add(JobName.Cleanup, payload, { jobId: scheduledCleanupJobId(windowStart) });
    return String(job.id);
  }

  /** Leaves a cleanup to the workers without waiting for it; joins the user's cleanup already queued. */
  async enqueue(payload: CleanupJobPayload): Promise<void> {
    await this.jobs.add(JobName.Cleanup, payload, requestedCleanupDeduplication(payload.login));
  }

  /** Runs a cleanup through the workers and waits for its result (or the result of the user's cleanup already queued). */
  async runAndWait(payload: CleanupJobPayload, timeoutMs: number): Promise<CleanupJobResult> {
    const events = new QueueEvents(CLEANUP_QUEUE, {
      connection: redisConnectionOptions(this.config),
      prefix: this.config.REDIS_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await this.jobs.add(JobName.Cleanup, payload, requestedCleanupDeduplication(payload.login));
      return await job.waitUntilFinished(events, timeoutMs);
    } finally {
      await events.close();
    }
  }
}
