import { Injectable } from '@nestjs/common';
import { type AuthenticatedUser, ownerOf } from '#libs/auth';
import { BuildRecordsRepository } from '#libs/builds';
import { CleanupQueue } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';
import { DriverProfile, driverProfileOf } from '#libs/drivers';

export interface CleanupOutcome {
  deleted: number;
  /** The cleanup stopped early (an API failure); the rest goes at the next run. */
  partial: boolean;
}

interface CleanupInFlight {
  maxAgeHours: number;
  outcome: Promise<CleanupOutcome>;
}

/**
 * The caller's cleanup. When builds outlive their records (the driver's
 * profile says so: Kubernetes Jobs), the workers delete the caller's
 * finished ones (selected by the user label) and the API waits for their
 * count; otherwise the records are the builds, deleted here, and what they
 * left in the builder goes by a worker in the background. A user's concurrent
 * cleanups on this replica make one run at a time: identical ones share it,
 * others wait their turn, so a burst queues one job, not hundreds.
 */
@Injectable()
export class CleanupBuildsUseCase {
  private readonly inFlight = new Map<string, CleanupInFlight>();
  private readonly driver: DriverProfile;

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly records: BuildRecordsRepository,
    private readonly queue: CleanupQueue,
  ) {
    this.driver = driverProfileOf(config);
  }

  execute(user: AuthenticatedUser, maxAgeHours: number): Promise<CleanupOutcome> {
    const login = ownerOf(user);
    const current = this.inFlight.get(login);
    if (current?.maxAgeHours === maxAgeHours) return current.outcome;
    const turn = current ? current.outcome.then(() => undefined, () => undefined) : Promise.resolve();
    const outcome = turn.then(() => this.run(login, maxAgeHours));
    this.inFlight.set(login, { maxAgeHours, outcome });
    const forget = () => {
      if (this.inFlight.get(login)?.outcome === outcome) this.inFlight.delete(login);
    };
    outcome.then(forget, forget);
    return outcome;
  }

  private async run(login: string, maxAgeHours: number): Promise<CleanupOutcome> {
    const olderThan = Date.now() - maxAgeHours * 3_600_000;
    if (this.driver.buildsOutliveTheirRecords) {
      const result = await this.queue.runAndWait({ olderThan, login }, this.config.CLEANUP_REQUEST_TIMEOUT_MS);
      return { deleted: result.jobsDeleted, partial: result.error !== undefined };
    }
    const deleted = await this.records.deleteFinishedBefore(login, olderThan);
    await this.queue.enqueue({ olderThan, login });
    return { deleted, partial: false };
  }
}
