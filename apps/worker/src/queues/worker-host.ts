import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { DeployerEnvironment } from '#libs/config';
import { QUEUE_NAMES, QueueName } from '#libs/queues';
import { redisConnectionOptions } from '#libs/redis';
import { DriverReadiness } from '../driver/driver-readiness.js';
import { BoundHandler, JobHandlers } from './job-handlers.js';
import { queueConsumers } from './queue-consumers.js';

/**
 * The one consumer of every queue of the catalogue: a BullMQ Worker per
 * queue, each job handed to the method bound to its name (boot fails when a
 * job has no handler or two). On shutdown the workers stop taking jobs and
 * wait for the ones running; handlers decide how long theirs may take.
 */
@Injectable()
export class WorkerHost implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly workers: Worker[] = [];
  private handlers = new Map<string, BoundHandler>();
  private stopping = false;
  private closing?: Promise<void>;

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly jobHandlers: JobHandlers,
    private readonly driverReadiness: DriverReadiness,
  ) {}

  onModuleInit(): void {
    this.handlers = this.jobHandlers.bind();
  }

  onApplicationBootstrap(): void {
    for (const queue of QUEUE_NAMES) void this.consume(queue);
  }

  /**
   * The first shutdown hook: from here on no job is taken, whatever order
   * Nest runs the later hooks in (handlers wait for their running jobs in
   * theirs, and a worker still taking jobs then would start new ones).
   */
  onModuleDestroy(): void {
    void this.close();
  }

  /** Before the Redis connections close, so running jobs can still finish and report. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Stops taking jobs at once; settles when the running ones have ended. */
  private close(): Promise<void> {
    this.stopping = true;
    this.closing ??= Promise.all(this.workers.map((worker) => worker.close())).then(
      () => undefined,
      (error: Error) => this.logger.warn(`Closing the queue consumers: ${error.message}`),
    );
    return this.closing;
  }

  private async consume(queue: QueueName): Promise<void> {
    const consumer = queueConsumers(this.config)[queue];
    if (consumer.waitsForDriver && !(await this.driverReadiness.whenReady())) return;
    if (this.stopping) return;
    const { waitsForDriver: _, ...options } = consumer;
    const worker = new Worker(queue, (job, token) => this.dispatch(job, token), {
      connection: { ...redisConnectionOptions(this.config), maxRetriesPerRequest: null },
      prefix: this.config.REDIS_PREFIX,
      ...options,
    });
    worker.on('error', (error) => this.logger.warn(`Queue ${queue}: ${error.message}`));
    this.workers.push(worker);
    this.logger.log(`Consuming queue ${queue} (concurrency ${consumer.concurrency})`);
  }

  private dispatch(job: Job, token: string | undefined): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    // A job of another version of the catalogue (a rolling update) fails visibly instead of being dropped.
    if (!handler) throw new Error(`No handler for job ${job.name}`);
    return handler(job, token);
  }
}
