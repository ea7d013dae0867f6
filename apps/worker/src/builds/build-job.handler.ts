import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { WaitingError } from 'bullmq';
import { BuildRecord, BuildRecordsRepository, CappedBuild, isFinished } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { BuildDriver, BuildHandover } from '#libs/drivers';
import { type CatalogueJob, JobName } from '#libs/queues';
import { HandlesJob } from '../queues/handles-job.decorator.js';
import { RunBuildUseCase } from './run-build.use-case.js';
import { UserRunningCap } from './user-running-cap.js';

const CANCEL_POLL_MS = 2_000;

interface RunningBuild {
  controller: AbortController;
  done: Promise<unknown>;
}

/**
 * Runs the build of a build job within its user's running cap, and stops its
 * builder when the build is finished by someone else (cancelled).
 *
 * On SIGTERM (the worker host stops taking jobs meanwhile) running builds
 * may finish for SHUTDOWN_GRACE_SECONDS (none when the driver's builds
 * outlive their worker); the rest are handed back to the queue, no attempt
 * spent, for a worker that is not stopping.
 */
@Injectable()
export class BuildJobHandler implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BuildJobHandler.name);
  private readonly running = new Map<string, RunningBuild>();
  private handingOver = false;

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly driver: BuildDriver,
    private readonly runBuild: RunBuildUseCase,
    private readonly records: BuildRecordsRepository,
    private readonly runningCap: UserRunningCap,
  ) {}

  /** Resolves to the outcome ("succeeded sha256:…, attempt 1 on the kubernetes driver"), kept by the queue as the job's return value. */
  @HandlesJob(JobName.Build)
  async handle(job: CatalogueJob<JobName.Build>, token: string | undefined): Promise<string | undefined> {
    const { buildId } = job.data;
    const record = await this.records.get(buildId);
    const capped: CappedBuild | null = record && !isFinished(record.state) ? { id: buildId, login: record.login, jobId: job.id ?? buildId } : null;
    if (capped) await this.runningCap.admit(capped, job, token);
    try {
      return await this.run(job, buildId, record);
    } catch (error) {
      if (!(error instanceof BuildHandover)) throw error;
      // Back to the queue as it was (no attempt spent), for a worker that is not stopping.
      await job.moveToWait(token);
      throw new WaitingError();
    } finally {
      if (capped) await this.runningCap.release(capped).catch((error: Error) => this.logger.warn(`Freeing the slot of ${buildId}: ${error.message}`));
    }
  }

  /** Before the Redis connections close, so running builds can still finish and report. */
  async beforeApplicationShutdown(): Promise<void> {
    const graceMs = this.driver.buildsOutliveWorker ? 0 : this.config.SHUTDOWN_GRACE_SECONDS * 1000;
    if (this.running.size > 0) this.logger.log(`Stopping: ${this.running.size} builds running, handed over in ${graceMs / 1000} s unless they end`);
    const handOver = setTimeout(() => {
      this.handingOver = true;
      for (const build of this.running.values()) build.controller.abort(new BuildHandover());
    }, graceMs);
    try {
      while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((build) => build.done));
    } finally {
      clearTimeout(handOver);
    }
  }

  private async run(job: CatalogueJob<JobName.Build>, buildId: string, record: BuildRecord | null): Promise<string | undefined> {
    const attempts = job.opts.attempts ?? 1;
    const controller = new AbortController();
    // A job taken as the hand-over began goes back at once.
    if (this.handingOver) controller.abort(new BuildHandover());
    const cancelled = setInterval(() => void this.abortIfFinished(buildId, controller), CANCEL_POLL_MS);
    const done = (async () => {
      const attempt = { number: job.attemptsMade + 1, isLast: job.attemptsMade + 1 >= attempts };
      const reported = await this.runBuild.execute(buildId, attempt, controller.signal, record);
      const final = reported ?? (await this.records.get(buildId));
      // The outcome is the job's return value, stored by the queue with its completion: the job's own log lines
      // (the attempt, the outcome) and a progress of 100 cost a script and an event each per build.
      const outcome = final && `${final.state}${final.reason ? ` (${final.reason})` : ''}${final.digest ? ` ${final.digest}` : ''}`;
      return outcome ? `${outcome}, attempt ${attempt.number} on the ${this.driver.name} driver` : undefined;
    })();
    this.running.set(buildId, { controller, done });
    try {
      return await done;
    } finally {
      clearInterval(cancelled);
      this.running.delete(buildId);
    }
  }

  /** A build finished by someone else (cancelled through the API) stops its builder. */
  private async abortIfFinished(buildId: string, controller: AbortController): Promise<void> {
    const state = await this.records.state(buildId).catch(() => null);
    if (state === 'succeeded' || state === 'failed') controller.abort();
  }
}
