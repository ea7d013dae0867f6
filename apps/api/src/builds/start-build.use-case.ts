import { Injectable, Logger } from '@nestjs/common';
import { AuthenticatedUser, ownerOf } from '#libs/auth';
import {
  BuildRecord,
  BuildRecordsRepository,
  alreadyBuiltRecord,
  buildIdentity,
  buildJobName,
  coalescingKey,
  fileDigest,
  newBuildId,
  queuedRecord,
  ReplicatedWrites,
} from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError, InvalidInputError, StoreUnavailableError } from '#libs/errors';
import { BuildTarget, SourcePolicy, parseBuildTarget, parseImageReference } from '#libs/images';
import { ExistingImageFinder, RegistryCredentials, RegistryHostResolver, userRegistryCredentials } from '#libs/registry';
import { CatalogSourcePolicy } from '#libs/builders';
import { BUILD_IDENTITY_LABEL, RuntimeRegistry, decodeDependencyFile } from '#libs/runtimes';
import { activeBuildsLimited } from './active-builds.limit.js';
import { StartBuildDto } from './dto/start-build.dto.js';
import { SharedFlights } from './shared-flights.js';
import { TenantSourcePolicy } from './tenant-source.policy.js';

/**
 * Says so when a failed store may have stored the build after all: a command
 * that reached Redis before the failure (no answer in time, the connection
 * lost mid-command) may have stored it, and a stored build runs (the step
 * that stores it hands it to the workers). A command never sent stored nothing.
 */
async function mayHaveBeenAccepted<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError) || !error.mayHaveApplied) throw error;
    throw new DependencyUnavailableError(
      'The build service is temporarily unavailable and did not confirm in time; the build may have been accepted. ' +
        'Retry the same request: ' +
        'it joins that build instead of starting another.',
      'redis',
    );
  }
}

interface ValidRequest {
  kind: string;
  target: BuildTarget;
  owner: string;
  /** The dependency file as the UTF-8 text it was checked to be. */
  file: string | null;
}

export interface StartBuildResult {
  record: BuildRecord;
  /** True when the request joined a build that was already queued or running. */
  coalesced: boolean;
}

/**
 * Validates a build request completely, then stores and hands it on, joins an
 * identical one in flight, or answers at once when the image already exists.
 */
@Injectable()
export class StartBuildUseCase {
  private readonly logger = new Logger(StartBuildUseCase.name);
  private readonly sources: SourcePolicy;
  // Identical requests in flight here share one trip to Redis: a burst of them
  // asks Redis once instead of once each (keys are per login: never across tenants).
  private readonly claims = new SharedFlights<StartBuildResult>();
  private readonly existingAnswers = new SharedFlights<BuildRecord>();

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly runtimes: RuntimeRegistry,
    private readonly records: BuildRecordsRepository,
    private readonly existing: ExistingImageFinder,
    private readonly registryHosts: RegistryHostResolver,
    private readonly catalogSources: CatalogSourcePolicy,
    private readonly tenantSources: TenantSourcePolicy,
    private readonly replicated: ReplicatedWrites,
  ) {
    this.sources = new SourcePolicy(config.SOURCE_ALLOWLIST);
  }

  async execute(user: AuthenticatedUser, request: StartBuildDto, requestId = ''): Promise<StartBuildResult> {
    const valid = this.validate(user, request);
    const record = this.recordOf(user, request, valid, requestId);
    return this.decide(user, record, valid);
  }

  /** Everything about the request, checked before anything is stored or asked of the registry. */
  private validate(user: AuthenticatedUser, request: StartBuildDto): ValidRequest {
    const strategy = this.runtimes.get(request.kind);
    const source = parseImageReference(request.source, 'source');
    this.sources.check(request.source);
    this.catalogSources.check(request.source);
    this.tenantSources.check(user, source, request.source);
    const target = parseBuildTarget(request.target);
    const owner = ownerOf(user);
    if (this.config.STRICT_USER_CHECK && target.user !== owner) {
      throw new InvalidInputError('Invalid target for the build.', 'InvalidTarget');
    }
    let file: string | null = null;
    if (request.file !== undefined && request.file !== '') {
      file = decodeDependencyFile(request.file, this.config.MAX_FILE_BYTES);
      strategy.check(file);
    }
    return { kind: strategy.kind, target, owner, file };
  }

  /** The queued record of the build the request asks for. */
  private recordOf(user: AuthenticatedUser, request: StartBuildDto, valid: ValidRequest, requestId: string): BuildRecord {
    const { kind, target, owner, file } = valid;
    const hosts = this.registryHosts.resolveBoth(user);
    const fileSha256 = file ? fileDigest(file) : '';
    const identity = buildIdentity({ source: request.source, kind, fileSha256 });
    const id = newBuildId();
    return queuedRecord({
      id,
      login: owner,
      user: target.user,
      kind,
      source: request.source,
      target: request.target,
      registryHost: hosts.push,
      image: `${hosts.pull}/${target.user}:${target.tag}`,
      pushImage: `${hosts.push}/${target.user}:${target.tag}`,
      ensureId: '',
      generation: 0,
      jobName: buildJobName(target.user, id),
      identity,
      claim: coalescingKey({ login: owner, target: request.target, identity }),
      hasFile: file !== null,
      fileSha256,
      force: request.force === true,
      requestId,
      createdAt: Date.now(),
    });
  }

  /** The outcome: the image already exists, a new build is queued, or the request joins one in flight. */
  private async decide(user: AuthenticatedUser, record: BuildRecord, { target, file }: ValidRequest): Promise<StartBuildResult> {
    if (!record.force) {
      const digest = await this.existingImageDigest(record.registryHost, target.user, target.tag, record.identity, userRegistryCredentials(user));
      if (digest) {
        const done = alreadyBuiltRecord(record, digest, record.createdAt);
        const { value: answer } = await this.existingAnswers.run(`${record.claim} ${digest}`, () => this.records.saveExisting(done));
        return { record: answer, coalesced: answer.id !== done.id };
      }
    }
    const { value, joined } = await this.claims.run(record.claim, () => this.claim(user, record, file));
    return joined ? { record: value.record, coalesced: true } : value;
  }

  /**
   * Stores the build and hands it to the intake with its credentials, in one
   * step (workers move it into the queue), or joins the identical one Redis
   * holds in flight.
   */
  private async claim(user: AuthenticatedUser, record: BuildRecord, file: string | null): Promise<StartBuildResult> {
    // Whatever the driver: it alone decides whether it pushes with the credentials.
    const handover = { intake: true, credentials: user.env.REGISTRY_SECRET || undefined };
    const claim = await mayHaveBeenAccepted(this.records.claim(record, file, handover));
    if (claim.outcome === 'limited') throw activeBuildsLimited(claim.active);
    if (claim.outcome === 'created') {
      await mayHaveBeenAccepted(this.replicated.confirm());
      return { record, coalesced: false };
    }
    const existing = await this.records.get(claim.id);
    if (!existing) throw new DependencyUnavailableError('The build record vanished; retry the request.', 'redis');
    // The build joined may be one an earlier try of this request stored without confirming.
    await mayHaveBeenAccepted(this.replicated.confirm());
    return { record: existing, coalesced: true };
  }

  /** The digest of the target image if it exists and was built from this identity. */
  private async existingImageDigest(host: string, repository: string, tag: string, identity: string, credentials?: RegistryCredentials) {
    try {
      return await this.existing.find(host, repository, tag, BUILD_IDENTITY_LABEL, identity, credentials);
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      this.logger.warn(`Cannot check for an existing image, building anyway: ${error.message}`);
      return null;
    }
  }
}
