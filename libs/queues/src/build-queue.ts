import { Injectable } from '@nestjs/common';
import { TranslateRedisFailures } from '#libs/redis';
import { FairSharePolicy } from './fair-share.policy.js';
import { BUILD_QUEUE, JobName } from './job-catalogue.js';
import { JobQueues } from './job-queues.js';

/** What enqueuing needs of a build: its id, and whose it is (for its fair share). */
export interface QueuedBuild {
  id: string;
  login: string;
}

/** The producer side of the build queue. */
@Injectable()
@TranslateRedisFailures()
export class BuildQueue {
  constructor(
    private readonly jobs: JobQueues,
    private readonly fairShares: FairSharePolicy,
  ) {}

  private get queue() {
    return this.jobs.queue(BUILD_QUEUE);
  }

  /**
   * A build run again (a retried ensure build) passes its run's job id
   * (runJobId), since the job of its earlier run is kept for a while and
   * would swallow the add.
   */
  async enqueue(build: QueuedBuild, jobId = build.id, priority = this.priorityOf(build.login)): Promise<void> {
    await this.jobs.add(JobName.Build, { buildId: build.id }, { jobId, priority: await priority });
  }

  /** The fair-share priority of the user's build being enqueued, counted from the user's builds in flight (one SCARD). */
  priorityOf(login: string): Promise<number | undefined> {
    return this.fairShares.priorityOf(login);
  }

  /** The same, from the count of the user's builds in flight that the claim storing the build returned. */
  priorityAt(inFlight: number): Promise<number | undefined> {
    return Promise.resolve(this.fairShares.priorityAt(inFlight));
  }

  /** Wakes a parked (delayed) job at once; false when it is gone or no longer delayed. */
  async promote(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job || !(await job.isDelayed())) return false;
    return job.promote().then(
      () => true,
      () => false,
    );
  }

  /** Drops a build that no worker has taken yet; an active one is left to its worker. */
  async discardWaiting(buildId: string): Promise<void> {
    const job = await this.queue.getJob(buildId);
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }

  async isEnqueued(buildId: string, jobId = buildId): Promise<boolean> {
    return (await this.queue.getJob(jobId)) !== undefined;
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  }
}
