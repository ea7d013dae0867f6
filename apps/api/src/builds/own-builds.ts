import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { BuildRecord, BuildRecordsRepository } from '#libs/builds';
import { NotFoundError } from '#libs/errors';

/** The one ownership check of builds: another user's build is indistinguishable from a missing one. */
@Injectable()
export class OwnBuilds {
  constructor(private readonly records: BuildRecordsRepository) {}

  async get(user: AuthenticatedUser, id: string): Promise<BuildRecord> {
    const record = await this.records.get(id);
    if (!record || record.login !== user.owner) throw new NotFoundError(`Build ${id.slice(0, 64)} not found`);
    return record;
  }
}
