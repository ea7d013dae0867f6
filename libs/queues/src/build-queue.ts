import { Injectable } from '@nestjs/common';
import { TranslateRedisFailures } from '#libs/redis';
import { BuildIntake } from './build-intake.js';
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
    private readonly intake: BuildIntake,
  ) {}

  private get queue() {
    return this.jobs.queue(BUILD_QUEUE);
  }

  /**
   * A build run again (a retried ensure build) passes its run's job id
   * (runJobId), since the job of its earlier run is kept for a while and
   * would swallow the add. `inFlight` is the user's builds in flight that the
   * claim storing the build counted, its fair-share rank; without it the rank
   * is counted here (one SCARD).
   */
  async enqueue(build: QueuedBuild, jobId = build.id, inFlight?: number): Promise<void> {
    const priority = inFlight === undefined ? await this.fairShares.priorityOf(build.login) : this.fairShares.priorityAt(inFlight);
    await this.jobs.add(JobName.Build, { buildId: build.id }, { jobId, priority });
  }

  /** Builds from the intake, in one round trip, each under its id at the rank its claim counted. */
  async enqueueAccepted(builds: { id: string; inFlight: number }[]): Promise<void> {
    await this.jobs.addBulk(
      JobName.Build,
      builds.map((build) => ({ payload: { buildId: build.id }, options: { jobId: build.id, priority: this.fairShares.priorityAt(build.inFlight) } })),
    );
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

  /** Jobs by state, and `accepted`: builds stored and still in the intake, on their way into the queue. */
  async counts(): Promise<Record<string, number>> {
    const [jobs, accepted] = await Promise.all([
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'),
      this.intake.length(),
    ]);
    return { accepted, ...jobs };
  }
}
