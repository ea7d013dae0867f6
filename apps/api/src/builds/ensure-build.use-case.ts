import { Injectable, Logger } from '@nestjs/common';
import { AuthenticatedUser, ownerOf } from '#libs/auth';
import { BuilderCatalog } from '#libs/builders';
import {
  BuildLogsRepository,
  BuildRecord,
  BuildRecordsRepository,
  alreadyBuiltRecord,
  buildIdentity,
  coalescingKey,
  ensureBuildId,
  ensureImageTag,
  ensureJobName,
  ensureRecordId,
  fileDigest,
  queuedRecord,
  ReplicatedWrites,
} from '#libs/builds';
import { BuildQueue, runJobId } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError, InvalidInputError } from '#libs/errors';
import { ExistingImageFinder, RegistryHostResolver } from '#libs/registry';
import { BUILD_IDENTITY_LABEL, RuntimeRegistry, decodeDependencyFile } from '#libs/runtimes';
import { activeBuildsLimited } from './active-builds.limit.js';
import { EnsureBuildDto } from './dto/ensure-build.dto.js';

/**
 * `build/ensure`: the image of a catalog builder plus a dependency file, under
 * a content-addressed id. Answers from the record when there is one, from the
 * registry when the image exists (a restart or a Redis that lost its records
 * changes nothing), and otherwise queues the build through the same records,
 * coalescing and queue as `build/start`.
 */
@Injectable()
export class EnsureBuildUseCase {
  private readonly logger = new Logger(EnsureBuildUseCase.name);

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly catalog: BuilderCatalog,
    private readonly runtimes: RuntimeRegistry,
    private readonly records: BuildRecordsRepository,
    private readonly logs: BuildLogsRepository,
    private readonly queue: BuildQueue,
    private readonly existing: ExistingImageFinder,
    private readonly registryHosts: RegistryHostResolver,
    private readonly replicated: ReplicatedWrites,
  ) {}

  async execute(user: AuthenticatedUser, request: EnsureBuildDto, requestId = ''): Promise<BuildRecord> {
    const builder = this.catalog.get(request.builder);
    if (!builder) {
      throw new InvalidInputError(`Unknown builder ${request.builder}; GET /system/api/v1/build/capabilities lists them.`, 'UnknownBuilder');
    }
    const strategy = this.runtimes.get(builder.kind);
    let file: Buffer | null = null;
    if (request.file !== undefined && request.file !== '') {
      const content = decodeDependencyFile(request.file, this.config.MAX_FILE_BYTES);
      strategy.check(content);
      file = Buffer.from(content, 'utf8');
    }
    const login = ownerOf(user);
    const hosts = this.registryHosts.resolveBoth(user);
    const ensureId = ensureBuildId({ builder: builder.id, kind: builder.kind, source: builder.source, file });
    const recordId = ensureRecordId(login, ensureId);
    const tag = ensureImageTag(builder.kind, ensureId);
    const fileSha256 = file ? fileDigest(file) : '';
    const identity = buildIdentity({ source: builder.source, kind: builder.kind, fileSha256 });
    const target = `${login}:${tag}`;
    const now = Date.now();
    const current = await this.records.get(recordId);

    if (current?.state === 'queued' || current?.state === 'running') {
      // As in build/start: a producer that died between claim and enqueue leaves a queued record with no job.
      const jobId = runJobId(recordId, current.generation);
      if (current.state === 'queued' && !(await this.queue.isEnqueued(recordId, jobId))) await this.queue.enqueue(current, jobId);
      return current;
    }
    if (current?.state === 'failed' && request.retry === false) return current;
    if (current?.state === 'succeeded' && !(await this.imageIsGone(current))) return current;

    const record = queuedRecord({
      id: recordId,
      login,
      user: login,
      kind: builder.kind,
      source: builder.source,
      target,
      registryHost: hosts.push,
      image: `${hosts.pull}/${target}`,
      pushImage: `${hosts.push}/${target}`,
      ensureId,
      generation: current ? current.generation + 1 : 0,
      jobName: '',
      identity,
      claim: coalescingKey({ login, target, identity }),
      hasFile: file !== null,
      fileSha256,
      force: false,
      requestId,
      createdAt: now,
    });
    record.jobName = ensureJobName(login, recordId, record.generation);

    if (!current) {
      const digest = await this.existingDigest(hosts.push, login, tag, identity);
      if (digest) {
        return this.records.saveExisting(alreadyBuiltRecord(record, digest, now));
      }
    }

    const claim = await this.records.claim(record, file);
    if (claim.outcome === 'limited') throw activeBuildsLimited(claim.active);
    if (claim.outcome === 'joined') {
      const holder = await this.records.get(claim.id);
      if (!holder) throw new DependencyUnavailableError('The build record vanished; retry the request.', 'redis');
      await this.replicated.confirm();
      return holder.ensureId ? holder : { ...holder, ensureId };
    }
    // The worker has not seen this run yet: the log of an earlier run goes before it starts.
    if (current) await this.logs.reset(recordId);
    const secret = user.env.REGISTRY_SECRET;
    if (secret) await this.records.saveCredentials(recordId, secret);
    await this.queue.enqueue(record, runJobId(recordId, record.generation), claim.inFlight);
    await this.replicated.confirm();
    return record;
  }

  /** A succeeded record whose image was deleted since is built again; an unreachable registry is trusted to still have it. */
  private async imageIsGone(record: BuildRecord): Promise<boolean> {
    const [repository, tag] = record.target.split(':');
    try {
      return (await this.existing.find(record.registryHost, repository, tag, BUILD_IDENTITY_LABEL, record.identity)) === null;
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      return false;
    }
  }

  private async existingDigest(host: string, repository: string, tag: string, identity: string): Promise<string | null> {
    try {
      return await this.existing.find(host, repository, tag, BUILD_IDENTITY_LABEL, identity);
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      this.logger.warn(`Cannot check for an existing image, building anyway: ${error.message}`);
      return null;
    }
  }
}
