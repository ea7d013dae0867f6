import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, JobsOptions, Queue } from 'bullmq';
import { DeployerEnvironment } from '#libs/config';
import { TranslateRedisFailures } from '#libs/redis';
import { BUILD_QUEUE, CLEANUP_QUEUE, JOBS, JobName, JobPayloads, JobResults, QueueName } from './job-catalogue.js';

export type CatalogueJob<N extends JobName> = Job<JobPayloads[N], JobResults[N], N>;

/** What a producer adds to a job's declared options: its id, priority or deduplication. */
export type PerJobOptions = Pick<JobsOptions, 'jobId' | 'priority' | 'deduplication'>;

/**
 * The catalogue's queues, for producers: a job goes to the queue the
 * catalogue names with the options it declares, and its payload must be the
 * one declared for its name.
 */
@Injectable()
@TranslateRedisFailures()
export class JobQueues {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(BUILD_QUEUE) builds: Queue,
    @InjectQueue(CLEANUP_QUEUE) maintenance: Queue,
    private readonly config: DeployerEnvironment,
  ) {
    this.queues = { [BUILD_QUEUE]: builds, [CLEANUP_QUEUE]: maintenance };
  }

  async add<N extends JobName>(name: N, payload: JobPayloads[N], options: PerJobOptions = {}): Promise<CatalogueJob<N>> {
    const declared = JOBS[name];
    return (await this.queues[declared.queue].add(name, payload, { ...declared.options(this.config), ...options })) as CatalogueJob<N>;
  }

  /**
   * Jobs of one name in one round trip (one pipeline of BullMQ's add
   * scripts); as with add(), a job id already in the queue keeps its job.
   */
  async addBulk<N extends JobName>(name: N, jobs: { payload: JobPayloads[N]; options?: PerJobOptions }[]): Promise<void> {
    if (jobs.length === 0) return;
    const declared = JOBS[name];
    const base = declared.options(this.config);
    await this.queues[declared.queue].addBulk(jobs.map(({ payload, options }) => ({ name, data: payload, opts: { ...base, ...options } })));
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }
}
