import { Injectable } from '@nestjs/common';
import { AuthenticatedUser, ownerOf } from '#libs/auth';
import { BuildRecord, BuildRecordsRepository, ensureImageTag, ensureJobName, ensureRecordId } from '#libs/builds';
import { DependencyUnavailableError, NotFoundError } from '#libs/errors';
import { ExistingImageFinder, RegistryHostResolver } from '#libs/registry';
import { ENSURE_ID_LABEL, RUNTIME_KINDS } from '#libs/runtimes';

/**
 * `GET /build/<64-hex id>`: the caller's own record of that ensure build;
 * anyone else's is not found. Without a record (another Redis, records
 * expired or lost) the caller's repository still answers: an image whose
 * ensure-id label is this id is that build, succeeded.
 */
@Injectable()
export class EnsureBuildStatusUseCase {
  constructor(
    private readonly records: BuildRecordsRepository,
    private readonly existing: ExistingImageFinder,
    private readonly registryHosts: RegistryHostResolver,
  ) {}

  async execute(user: AuthenticatedUser, ensureId: string): Promise<BuildRecord> {
    const login = ownerOf(user);
    const recordId = ensureRecordId(login, ensureId);
    const record = await this.records.get(recordId);
    if (record?.ensureId === ensureId) return record;
    if (!record) {
      const found = await this.fromRegistry(user, login, recordId, ensureId);
      if (found) return found;
    }
    throw new NotFoundError(`Build ${ensureId} not found`);
  }

  private async fromRegistry(user: AuthenticatedUser, login: string, recordId: string, ensureId: string): Promise<BuildRecord | null> {
    const hosts = this.registryHosts.resolveBoth(user);
    for (const kind of RUNTIME_KINDS) {
      const tag = ensureImageTag(kind, ensureId);
      let digest: string | null;
      try {
        digest = await this.existing.find(hosts.push, login, tag, ENSURE_ID_LABEL, ensureId);
      } catch (error) {
        if (error instanceof DependencyUnavailableError) return null;
        throw error;
      }
      if (!digest) continue;
      const target = `${login}:${tag}`;
      return {
        id: recordId,
        login,
        user: login,
        kind,
        source: '',
        target,
        registryHost: hosts.push,
        image: `${hosts.pull}/${target}`,
        pushImage: `${hosts.push}/${target}`,
        ensureId,
        generation: 0,
        jobName: ensureJobName(login, recordId, 0),
        identity: '',
        claim: '',
        hasFile: false,
        fileSha256: '',
        force: false,
        state: 'succeeded',
        reason: '',
        message: 'The image exists in the registry.',
        digest,
        logTail: [],
        requestId: '',
        createdAt: 0,
        startedAt: 0,
        finishedAt: 0,
      };
    }
    return null;
  }
}
