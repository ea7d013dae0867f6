import { Injectable } from '@nestjs/common';
import { type CatalogueJob, type CleanupJobResult, JobName } from '#libs/queues';
import { HandlesJob } from '../queues/handles-job.decorator.js';
import { RunCleanupUseCase } from './run-cleanup.use-case.js';

/** Runs a cleanup job and notes what it did in the job's log. */
@Injectable()
export class CleanupJobHandler {
  constructor(private readonly runCleanup: RunCleanupUseCase) {}

  @HandlesJob(JobName.Cleanup)
  async handle(job: CatalogueJob<JobName.Cleanup>): Promise<CleanupJobResult> {
    const result = await this.runCleanup.execute(job.data);
    await job.log(`deleted ${result.jobsDeleted} jobs and ${result.recordsDeleted} records${result.error ? `; stopped early: ${result.error}` : ''}`);
    return result;
  }
}
