import type { FailureReason } from '#libs/errors';
import { BuildState } from './build-state.js';

/** Everything the deployer keeps about one build; stored as a Redis hash. */
export interface BuildRecord {
  id: string;
  /** The owner: the caller's login lowercased (AuthenticatedUser.owner), what ownership checks compare. */
  login: string;
  /** The repository the image goes to (the target's user part). */
  user: string;
  kind: string;
  source: string;
  target: string;
  /** `host[:port]` of the registry the image goes to. */
  registryHost: string;
  /** The reference an action runs on: `<pull host>/<user>:<tag>` (what `--docker` needs). */
  image: string;
  /** Where the image is pushed: `<push host>/<user>:<tag>`; empty in records older than the two hosts. */
  pushImage: string;
  /** The content-addressed id of a `build/ensure` build (64 hex), empty for `build/start`. */
  ensureId: string;
  /** Runs of an ensure build before this one (a retried failure gets a Job of its own). */
  generation: number;
  jobName: string;
  identity: string;
  /** The coalescing key this build holds while it is queued or running. */
  claim: string;
  hasFile: boolean;
  fileSha256: string;
  force: boolean;
  state: BuildState;
  /** Why a failed build failed; empty otherwise. */
  reason: FailureReason | '';
  message: string;
  digest: string;
  logTail: string[];
  requestId: string;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
}

/** The build as clients see it (snake_case like the rest of the API). */
export interface BuildView {
  id: string;
  job_name: string;
  state: BuildState;
  kind: string;
  source: string;
  target: string;
  image: string;
  push_image: string;
  digest?: string;
  /** Id of the request that started the build (X-Request-Id). */
  request_id?: string;
  reason?: FailureReason;
  message?: string;
  log_tail?: string[];
  created_at: string;
  started_at?: string;
  finished_at?: string;
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : undefined);

export function toBuildView(record: BuildRecord): BuildView {
  return {
    id: record.id,
    job_name: record.jobName,
    state: record.state,
    kind: record.kind,
    source: record.source,
    target: record.target,
    image: record.image,
    push_image: pushReference(record),
    digest: record.digest || undefined,
    request_id: record.requestId || undefined,
    reason: record.reason || undefined,
    message: record.message || undefined,
    log_tail: record.state === 'failed' && record.logTail.length > 0 ? record.logTail : undefined,
    created_at: iso(record.createdAt) as string,
    started_at: iso(record.startedAt),
    finished_at: iso(record.finishedAt),
  };
}

/** Where the build pushes; records from before the two hosts pushed where they pull. */
export const pushReference = (record: Pick<BuildRecord, 'image' | 'pushImage'>) => record.pushImage || record.image;

/** What a request decides about a new build; the rest of a queued record is the same for every build. */
export type NewBuild = Omit<BuildRecord, 'state' | 'reason' | 'message' | 'digest' | 'logTail' | 'startedAt' | 'finishedAt'>;

/**
 * The queued record of a new build. Its fields are named one by one: V8
 * spreads an object of this size and then adds fields to it some hundred
 * times slower (~10 us a record, measured on Node 20), on every accepted
 * build.
 */
export const queuedRecord = (build: NewBuild): BuildRecord => ({
  id: build.id,
  login: build.login,
  user: build.user,
  kind: build.kind,
  source: build.source,
  target: build.target,
  registryHost: build.registryHost,
  image: build.image,
  pushImage: build.pushImage,
  ensureId: build.ensureId,
  generation: build.generation,
  jobName: build.jobName,
  identity: build.identity,
  claim: build.claim,
  hasFile: build.hasFile,
  fileSha256: build.fileSha256,
  force: build.force,
  requestId: build.requestId,
  createdAt: build.createdAt,
  state: 'queued',
  reason: '',
  message: '',
  digest: '',
  logTail: [],
  startedAt: 0,
  finishedAt: 0,
});

/** The answer when the exact image already exists: a build that succeeded at once, with nothing built. */
export const alreadyBuiltRecord = (record: BuildRecord, digest: string, now: number): BuildRecord => ({
  ...record,
  state: 'succeeded',
  digest,
  message: 'The image already exists; nothing was built.',
  startedAt: now,
  finishedAt: now,
});
