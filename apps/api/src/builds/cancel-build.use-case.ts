import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { BuildRecord, BuildRecordsRepository, isFinished } from '#libs/builds';
import { BuildQueue } from '#libs/queues';
import { ConflictError } from '#libs/errors';
import { OwnBuilds } from './own-builds.js';

/**
 * Cancels a queued or running build: the record is marked failed at once
 * (reason Cancelled); the worker running it notices and stops the builder.
 */
@Injectable()
export class CancelBuildUseCase {
  constructor(
    private readonly ownBuilds: OwnBuilds,
    private readonly records: BuildRecordsRepository,
    private readonly queue: BuildQueue,
  ) {}

  async execute(user: AuthenticatedUser, id: string): Promise<BuildRecord> {
    const record = await this.ownBuilds.get(user, id);
    if (isFinished(record.state)) throw new ConflictError(`Build ${id} has already ${record.state}`);
    const first = await this.records.finish(record, { state: 'failed', reason: 'Cancelled', message: 'cancelled on request' });
    if (first) await this.queue.discardWaiting(id);
    return (await this.records.get(id)) ?? record;
  }
}
