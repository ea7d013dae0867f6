import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { CleanupQueue } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';

/**
 * Fires on CLEANUP_CRON and only enqueues: the job id is the window's start,
 * so every replica's scheduler adds the same job and one worker runs it.
 */
@Injectable()
export class CleanupScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(CleanupScheduler.name);

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly queue: CleanupQueue,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.CLEANUP_SCHEDULE) return;
    const job = CronJob.from({
      cronTime: this.config.CLEANUP_CRON,
      onTick: () => void this.fire(new Date()),
      start: true,
      utcOffset: 0,
    });
    this.registry.addCronJob('build-cleanup', job);
  }

  /** Enqueues the cleanup of the window `firedAt` falls in (minute precision). */
  async fire(firedAt: Date): Promise<string | undefined> {
    const window = new Date(Math.floor(firedAt.getTime() / 60_000) * 60_000);
    const olderThan = window.getTime() - this.config.CLEANUP_MAX_AGE_HOURS * 3_600_000;
    try {
      return await this.queue.scheduleWindow(window, { olderThan });
    } catch (error) {
      this.logger.warn(`Could not schedule the cleanup of ${window.toISOString()}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
