import { Injectable, Logger } from '@nestjs/common';
import { BuildRecordsRepository } from '#libs/builds';
import { CleanupJobPayload, CleanupJobResult } from '#libs/queues';
import { BuildDriver } from '#libs/drivers';
import { CleanupRunMetrics } from '#libs/metrics';

/**
 * Removes finished builds older than the cut-off: first what they left in
 * the builder (Kubernetes Jobs with their Pods, ConfigMaps and Secrets, or
 * local images), then their records and logs. Builds still queued or running
 * are never touched. Every run is counted, complete or partial.
 */
@Injectable()
export class RunCleanupUseCase {
  private readonly logger = new Logger(RunCleanupUseCase.name);

  constructor(
    private readonly driver: BuildDriver,
    private readonly records: BuildRecordsRepository,
    private readonly metrics: CleanupRunMetrics,
  ) {}

  async execute(payload: CleanupJobPayload): Promise<CleanupJobResult> {
    const olderThan = new Date(payload.olderThan);
    const driver = await this.driver.cleanup({ olderThan, login: payload.login });
    let recordsDeleted = 0;
    let error = driver.error;
    try {
      if (payload.login) recordsDeleted = await this.records.deleteFinishedBefore(payload.login, olderThan.getTime());
      else for await (const login of this.records.logins()) recordsDeleted += await this.records.deleteFinishedBefore(login, olderThan.getTime());
    } catch (failure) {
      error = error ?? (failure as Error).message;
    }
    await this.metrics.record({ partial: error !== undefined, jobsDeleted: driver.deleted, recordsDeleted });
    const scope = payload.login ? `user ${payload.login}` : 'all users';
    const summary = `cleanup (${scope}, finished before ${olderThan.toISOString()}): ${driver.deleted} ${this.driver.name} jobs, ${recordsDeleted} records`;
    if (error) this.logger.warn(`${summary}; stopped early: ${error}`);
    else this.logger.log(summary);
    return { jobsDeleted: driver.deleted, recordsDeleted, ...(error ? { error } : {}) };
  }
}
