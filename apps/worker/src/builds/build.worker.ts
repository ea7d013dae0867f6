import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, WaitingError, Worker } from 'bullmq';
import { BUILD_QUEUE, BuildJobName, BuildJobPayload, BuildRecordsRepository, CappedBuild, WorkerHeartbeatsRepository, isFinished } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { BuildDriver, BuildHandover } from '#libs/drivers';
import { redisConnectionOptions } from '#libs/redis';
import { RunBuildUseCase } from './run-build.use-case.js';
import { UserRunningCap } from './user-running-cap.js';

const READY_RETRY_MS = 2_000;
const CANCEL_POLL_MS = 2_000;
const HEARTBEAT_MS = 15_000;

/**
 * The consumer of the build queue. Built by hand rather than with
 * @Processor: its concurrency and lock timings come from the validated
 * configuration at boot, which decorator options cannot take. It starts only
 * once the driver is ready, so the first builds are not failed by a builder
 * that is still starting.
 *
 * On SIGTERM it stops taking jobs and lets its running builds finish for
 * SHUTDOWN_GRACE_SECONDS (at once when the driver's builds outlive their
 * worker), then hands the rest back to the queue for another worker.
 */
@Injectable()
export class BuildWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(BuildWorker.name);
  private worker?: Worker;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly driver: BuildDriver,
    private readonly runBuild: RunBuildUseCase,
    private readonly records: BuildRecordsRepository,
    private readonly heartbeats: WorkerHeartbeatsRepository,
    private readonly runningCap: UserRunningCap,
  ) {}

  onApplicationBootstrap(): void {
    void this.startWhenReady();
  }

  /** Before the Redis connections close, so running builds can still finish and report. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    if (!this.worker) return;
    const closed = this.worker.close();
    const graceMs = this.driver.buildsOutliveWorker ? 0 : this.config.SHUTDOWN_GRACE_SECONDS * 1000;
    if (this.running.size > 0) this.logger.log(`Stopping: ${this.running.size} builds running, handed over in ${graceMs / 1000} s unless they end`);
    const handOver = setTimeout(() => {
      for (const controller of this.running.values()) controller.abort(new BuildHandover());
    }, graceMs);
    try {
      await closed;
    } finally {
      clearTimeout(handOver);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    await this.heartbeats.stop().catch(() => undefined);
    await this.worker?.close();
  }

  /** Tells the API replicas, every few seconds, whether this worker's driver is ready. */
  private async beat(): Promise<void> {
    try {
      await this.driver.ready();
      await this.heartbeats.beat(this.driver.name);
    } catch (error) {
      this.logger.warn(`The ${this.driver.name} driver is not ready: ${(error as Error).message}`);
      await this.heartbeats.stop().catch(() => undefined);
    }
  }

  get isRunning(): boolean {
    return this.worker?.isRunning() ?? false;
  }

  private async startWhenReady(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.driver.ready();
        break;
      } catch (error) {
        this.logger.warn(`Waiting for the ${this.driver.name} driver: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, READY_RETRY_MS));
      }
    }
    if (this.stopping) return;
    this.worker = new Worker(BUILD_QUEUE, (job, token) => this.process(job, token), {
      connection: { ...redisConnectionOptions(this.config), maxRetriesPerRequest: null },
      prefix: this.config.REDIS_PREFIX,
      concurrency: this.config.BUILD_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 5,
    });
    this.worker.on('error', (error) => this.logger.warn(`Queue: ${error.message}`));
    await this.heartbeats.beat(this.driver.name).catch(() => undefined);
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.logger.log(`Build worker started (driver ${this.driver.name}, concurrency ${this.config.BUILD_CONCURRENCY})`);
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    if (job.name !== BuildJobName.Build) throw new Error(`No handler for job ${job.name}`);
    const { buildId } = job.data as BuildJobPayload<BuildJobName.Build>;
    const record = await this.records.get(buildId);
    const capped: CappedBuild | null = record && !isFinished(record.state) ? { id: buildId, login: record.login, jobId: job.id ?? buildId } : null;
    if (capped) await this.runningCap.admit(capped, job, token);
    try {
      await this.run(job, buildId);
    } catch (error) {
      if (!(error instanceof BuildHandover)) throw error;
      // Back to the queue as it was (no attempt spent), for a worker that is not stopping.
      await job.moveToWait(token);
      throw new WaitingError();
    } finally {
      if (capped) await this.runningCap.release(capped).catch((error: Error) => this.logger.warn(`Freeing the slot of ${buildId}: ${error.message}`));
    }
  }

  private async run(job: Job, buildId: string): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    const controller = new AbortController();
    this.running.set(buildId, controller);
    const cancelled = setInterval(() => void this.abortIfFinished(buildId, controller), CANCEL_POLL_MS);
    try {
      await job.log(`attempt ${job.attemptsMade + 1} on the ${this.driver.name} driver`);
      await this.runBuild.execute(
        buildId,
        { number: job.attemptsMade + 1, isLast: job.attemptsMade + 1 >= attempts },
        controller.signal,
      );
      const record = await this.records.get(buildId);
      if (record) {
        await job.log(`${record.state}${record.reason ? ` (${record.reason})` : ''}${record.digest ? ` ${record.digest}` : ''}`);
        await job.updateProgress(100);
      }
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
