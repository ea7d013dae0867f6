import { Injectable } from '@nestjs/common';
import { AuthenticatedUser, ownerOf } from '#libs/auth';
import { BuildRecord, BuildRecordsRepository, ensureRecordId } from '#libs/builds';
import { NotFoundError } from '#libs/errors';

/** `GET /build/<64-hex id>`: the caller's own record of that ensure build; anyone else's is not found. */
@Injectable()
export class EnsureBuildStatusUseCase {
  constructor(private readonly records: BuildRecordsRepository) {}

  async execute(user: AuthenticatedUser, ensureId: string): Promise<BuildRecord> {
    const record = await this.records.get(ensureRecordId(ownerOf(user), ensureId));
    if (!record || record.ensureId !== ensureId) throw new NotFoundError(`Build ${ensureId} not found`);
    return record;
  }
}
