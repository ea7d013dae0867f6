import { Injectable, Logger } from '@nestjs/common';
import { AuthenticatedUser } from '#libs/auth';
import {
  BuildQueue,
  BuildRecord,
  BuildRecordsRepository,
  buildIdentity,
  buildJobName,
  coalescingKey,
  fileDigest,
  newBuildId,
  ReplicatedWrites,
} from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError, InvalidInputError, TooManyRequestsError } from '#libs/errors';
import { SourcePolicy, parseBuildTarget, parseImageReference, repositoryNameForLogin } from '#libs/images';
import { ExistingImageFinder, RegistryHostResolver } from '#libs/registry';
import { CatalogSourcePolicy } from '#libs/builders';
import { BUILD_IDENTITY_LABEL, RuntimeRegistry, decodeDependencyFile } from '#libs/runtimes';
import { StartBuildDto } from './dto/start-build.dto.js';

/**
 * Redis refused the command before sending it: nothing was stored. Any other
 * failure (no answer in time, the connection lost mid-command) may come after
 * Redis stored the build, which then runs (workers enqueue stored builds).
 */
const NOT_SENT = /Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest/;
const REDIS_FAULT = /Connection is closed|ECONNRESET|ETIMEDOUT|Command timed out/;

/** Says so when a failed store may have stored the build after all. */
async function mayHaveBeenAccepted<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (!(error instanceof Error) || NOT_SENT.test(error.message) || !REDIS_FAULT.test(error.message)) throw error;
    throw new DependencyUnavailableError(
      'The build service is temporarily unavailable and did not confirm in time; the build may have been accepted. ' +
        'Retry the same request: ' +
        'it joins that build instead of starting another.',
      'redis',
    );
  }
}

export interface StartBuildResult {
  record: BuildRecord;
  /** True when the request joined a build that was already queued or running. */
  coalesced: boolean;
}

/**
 * Validates a build request completely, then stores and enqueues it, joins an
 * identical one in flight, or answers at once when the image already exists.
 */
@Injectable()
export class StartBuildUseCase {
  private readonly logger = new Logger(StartBuildUseCase.name);
  private readonly sources: SourcePolicy;

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly runtimes: RuntimeRegistry,
    private readonly records: BuildRecordsRepository,
    private readonly queue: BuildQueue,
    private readonly existing: ExistingImageFinder,
    private readonly registryHosts: RegistryHostResolver,
    private readonly catalogSources: CatalogSourcePolicy,
    private readonly replicated: ReplicatedWrites,
  ) {
    this.sources = new SourcePolicy(config.SOURCE_ALLOWLIST);
  }

  async execute(user: AuthenticatedUser, request: StartBuildDto, requestId = ''): Promise<StartBuildResult> {
    const strategy = this.runtimes.get(request.kind);
    parseImageReference(request.source, 'source');
    this.sources.check(request.source);
    this.catalogSources.check(request.source);
    const target = parseBuildTarget(request.target);
    const owner = repositoryNameForLogin(user.login);
    if (this.config.STRICT_USER_CHECK && target.user !== owner) {
      throw new InvalidInputError('Invalid target for the build.', 'InvalidTarget');
    }
    let file: Buffer | null = null;
    if (request.file !== undefined && request.file !== '') {
      const content = decodeDependencyFile(request.file, this.config.MAX_FILE_BYTES);
      strategy.check(content);
      file = Buffer.from(content, 'utf8');
    }

    const hosts = this.registryHosts.resolveBoth(user);
    const registryHost = hosts.push;
    const fileSha256 = file ? fileDigest(file) : '';
    const identity = buildIdentity({ source: request.source, kind: strategy.kind, fileSha256 });
    const id = newBuildId();
    const now = Date.now();
    const record: BuildRecord = {
      id,
      login: owner,
      user: target.user,
      kind: strategy.kind,
      source: request.source,
      target: request.target,
      registryHost,
      image: `${hosts.pull}/${target.user}:${target.tag}`,
      pushImage: `${registryHost}/${target.user}:${target.tag}`,
      ensureId: '',
      generation: 0,
      jobName: buildJobName(target.user, id),
      identity,
      claim: coalescingKey({ login: owner, target: request.target, identity }),
      hasFile: file !== null,
      fileSha256,
      force: request.force === true,
      state: 'queued',
      reason: '',
      message: '',
      digest: '',
      logTail: [],
      requestId,
      createdAt: now,
      startedAt: 0,
      finishedAt: 0,
    };

    if (!record.force) {
      const digest = await this.existingImageDigest(registryHost, target.user, target.tag, identity);
      if (digest) {
        const done: BuildRecord = {
          ...record,
          state: 'succeeded',
          digest,
          message: 'The image already exists; nothing was built.',
          startedAt: now,
          finishedAt: now,
        };
        const answer = await this.records.saveExisting(done);
        return { record: answer, coalesced: answer.id !== done.id };
      }
    }

    const claim = await mayHaveBeenAccepted(this.records.claim(record, file));
    if (claim.outcome === 'limited') {
      throw new TooManyRequestsError(
        `You have ${claim.active} builds queued or running, the most allowed (MAX_ACTIVE_BUILDS_PER_USER); retry when one ends.`,
        30,
      );
    }
    const holder = claim.id;
    if (claim.outcome === 'created') {
      const secret = user.env.REGISTRY_SECRET;
      if (secret && this.config.BUILD_DRIVER === 'kubernetes') await this.records.saveCredentials(id, secret);
      await mayHaveBeenAccepted(this.queue.enqueue(id));
      await mayHaveBeenAccepted(this.replicated.confirm());
      return { record, coalesced: false };
    }
    const existing = await this.records.get(holder);
    if (!existing) throw new DependencyUnavailableError('The build record vanished; retry the request.', 'redis');
    // A producer that died between claim and enqueue leaves a queued record with
    // no job; re-adding under the same job id is harmless when the job exists.
    if (existing.state === 'queued' && !(await this.queue.isEnqueued(holder))) await this.queue.enqueue(holder);
    // The build joined may be one an earlier try of this request stored without confirming.
    await mayHaveBeenAccepted(this.replicated.confirm());
    return { record: existing, coalesced: true };
  }

  /** The digest of the target image if it exists and was built from this identity. */
  private async existingImageDigest(host: string, repository: string, tag: string, identity: string) {
    try {
      return await this.existing.find(host, repository, tag, BUILD_IDENTITY_LABEL, identity);
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      this.logger.warn(`Cannot check for an existing image, building anyway: ${error.message}`);
      return null;
    }
  }
}
