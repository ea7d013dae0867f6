import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { DeployerEnvironment } from '#libs/config';
import { redisConnectionOptions } from '#libs/redis';
import {
  CLEANUP_QUEUE,
  CleanupJobName,
  CleanupJobPayload,
  CleanupJobResult,
  requestedCleanupOptions,
  scheduledCleanupOptions,
} from './cleanup-queue.contract.js';

/** The producer side of the maintenance queue. */
@Injectable()
export class CleanupQueue {
  constructor(
    @InjectQueue(CLEANUP_QUEUE) private readonly queue: Queue,
    private readonly config: DeployerEnvironment,
  ) {}

  /** Enqueues the cleanup of a cron window; a second call for the same window is a no-op. */
  async scheduleWindow(windowStart: Date, payload: CleanupJobPayload): Promise<string> {
    const job = await this.queue.add(CleanupJobName.Cleanup, payload, scheduledCleanupOptions(windowStart));
    return String(job.id);
  }

  /** Leaves a cleanup to the workers without waiting for it; joins the user's cleanup already queued. */
  async enqueue(payload: CleanupJobPayload): Promise<void> {
    await this.queue.add(CleanupJobName.Cleanup, payload, requestedCleanupOptions(payload.login));
  }

  /** Runs a cleanup through the workers and waits for its result (or the result of the user's cleanup already queued). */
  async runAndWait(payload: CleanupJobPayload, timeoutMs: number): Promise<CleanupJobResult> {
    const events = new QueueEvents(CLEANUP_QUEUE, {
      connection: redisConnectionOptions(this.config),
      prefix: this.config.REDIS_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await this.queue.add(CleanupJobName.Cleanup, payload, requestedCleanupOptions(payload.login));
      return (await job.waitUntilFinished(events, timeoutMs)) as CleanupJobResult;
    } finally {
      await events.close();
    }
  }
}
