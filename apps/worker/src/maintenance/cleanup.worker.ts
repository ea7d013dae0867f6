import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { CLEANUP_QUEUE, CleanupJobName, CleanupJobPayload, CleanupJobResult } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { redisConnectionOptions } from '#libs/redis';
import { RunCleanupUseCase } from './run-cleanup.use-case.js';

/** Consumer of the maintenance queue: one cleanup at a time per worker. */
@Injectable()
export class CleanupWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CleanupWorker.name);
  private worker?: Worker;

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly runCleanup: RunCleanupUseCase,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(CLEANUP_QUEUE, (job) => this.process(job), {
      connection: { ...redisConnectionOptions(this.config), maxRetriesPerRequest: null },
      prefix: this.config.REDIS_PREFIX,
      concurrency: 1,
    });
    this.worker.on('error', (error) => this.logger.warn(`Queue: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private async process(job: Job): Promise<CleanupJobResult> {
    if (job.name !== CleanupJobName.Cleanup) throw new Error(`No handler for job ${job.name}`);
    const result = await this.runCleanup.execute(job.data as CleanupJobPayload);
    await job.log(`deleted ${result.jobsDeleted} jobs and ${result.recordsDeleted} records${result.error ? `; stopped early: ${result.error}` : ''}`);
    return result;
  }
}
