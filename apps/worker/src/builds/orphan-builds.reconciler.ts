import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BuildRecordsRepository } from '#libs/builds';
import { BuildQueue } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';

/**
 * The API stores a build, then enqueues it. An API that dies in between
 * leaves a build recorded as queued that no worker will ever see; this finds
 * such builds and enqueues them (the job id is the build id, so a build that
 * is in fact queued is not added twice).
 */
@Injectable()
export class OrphanBuildsReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrphanBuildsReconciler.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly records: BuildRecordsRepository,
    private readonly queue: BuildQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.reconcile(), this.config.ORPHAN_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many builds were enqueued again. */
  async reconcile(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let requeued = 0;
    try {
      for await (const id of this.records.queuedBefore(Date.now() - this.config.ORPHAN_MIN_AGE_MS)) {
        if (await this.queue.isEnqueued(id)) continue;
        const record = await this.records.get(id);
        if (!record) continue;
        await this.queue.enqueue(record);
        requeued++;
      }
      if (requeued > 0) this.logger.warn(`Enqueued ${requeued} builds that were recorded but missing from the queue`);
    } catch (error) {
      this.logger.warn(`Looking for builds missing from the queue failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
    return requeued;
  }
}
