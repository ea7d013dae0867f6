import { Injectable } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError } from '#libs/errors';
import { TranslateRedisFailures, redisConnectionOptions } from '#libs/redis';
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
@TranslateRedisFailures()
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

  /**
   * Runs a cleanup through the workers and waits for its result (or the
   * result of the user's cleanup already queued). A cleanup still running
   * after `timeoutMs` goes on in the background: DependencyUnavailableError.
   */
  async runAndWait(payload: CleanupJobPayload, timeoutMs: number): Promise<CleanupJobResult> {
    const events = new QueueEvents(CLEANUP_QUEUE, {
      connection: redisConnectionOptions(this.config),
      prefix: this.config.REDIS_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await this.jobs.add(JobName.Cleanup, payload, requestedCleanupDeduplication(payload.login));
      const waitingSince = Date.now();
      try {
        return await job.waitUntilFinished(events, timeoutMs);
      } catch (error) {
        // BullMQ gives up on waiting at the deadline; an earlier failure is the job's own.
        if (Date.now() - waitingSince < timeoutMs) throw error;
        throw new DependencyUnavailableError('The cleanup did not finish in time; it goes on in the background.', 'worker');
      }
    } finally {
      await events.close();
    }
  }
}
