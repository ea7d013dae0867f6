import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { BuildRecordsRepository, CleanupQueue } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError } from '#libs/errors';
import { repositoryNameForLogin } from '#libs/images';

export interface CleanupOutcome {
  deleted: number;
  /** The cleanup stopped early (an API failure); the rest goes at the next run. */
  partial: boolean;
}

/**
 * The caller's cleanup. In a cluster the workers delete the caller's
 * finished Jobs (selected by the user label) and the API waits for their
 * count; locally the records are the jobs, deleted here, and the images
 * they left are removed by a worker in the background.
 */
@Injectable()
export class CleanupBuildsUseCase {
  constructor(
    private readonly config: DeployerEnvironment,
    private readonly records: BuildRecordsRepository,
    private readonly queue: CleanupQueue,
  ) {}

  async execute(user: AuthenticatedUser, maxAgeHours: number): Promise<CleanupOutcome> {
    const login = repositoryNameForLogin(user.login);
    const olderThan = Date.now() - maxAgeHours * 3_600_000;
    if (this.config.BUILD_DRIVER === 'kubernetes') {
      try {
        const result = await this.queue.runAndWait({ olderThan, login }, this.config.CLEANUP_REQUEST_TIMEOUT_MS);
        return { deleted: result.jobsDeleted, partial: result.error !== undefined };
      } catch (error) {
        if (!/timed out|timeout/i.test((error as Error).message)) throw error;
        throw new DependencyUnavailableError('The cleanup did not finish in time; it goes on in the background.', 'worker');
      }
    }
    const deleted = await this.records.deleteFinishedBefore(login, olderThan);
    await this.queue.enqueue({ olderThan, login });
    return { deleted, partial: false };
  }
}
