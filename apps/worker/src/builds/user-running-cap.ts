import { Injectable } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { CappedBuild, RunningBuildsRepository } from '#libs/builds';
import { BuildQueue } from '#libs/queues';

/**
 * A parked build wakes when one of its user's builds ends; this is only the
 * fallback for a wake-up lost with a worker that died in between. Long, so a
 * user at the cap costs the queue nothing while it waits.
 */
const PARKED_RECHECK_MS = 30_000;

/**
 * MAX_RUNNING_BUILDS_PER_USER across every worker. A build over the cap is
 * parked: its job goes back to the queue as delayed (not failed, no attempt
 * spent) and the build that frees a slot wakes the user's longest parked one.
 */
@Injectable()
export class UserRunningCap {
  constructor(
    private readonly running: RunningBuildsRepository,
    private readonly queue: BuildQueue,
  ) {}

  /**
   * Resolves when the build holds a slot; otherwise parks its job and throws
   * BullMQ's DelayedError, which tells the worker the job has been moved.
   */
  async admit(build: CappedBuild, job: Job, token: string | undefined): Promise<void> {
    if (await this.running.acquire(build)) return;
    await job.moveToDelayed(Date.now() + PARKED_RECHECK_MS, token);
    if (await this.running.park(build)) await this.queue.promote(build.jobId);
    throw new DelayedError(`build ${build.id}: ${build.login} runs ${this.running.cap} builds already`);
  }

  /** Frees the build's slot and wakes the user's next parked build that still waits. */
  async release(build: CappedBuild): Promise<void> {
    let next = await this.running.release(build);
    while (next !== null && !(await this.queue.promote(next))) next = await this.running.nextParked(build.login);
  }
}
