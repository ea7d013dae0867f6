import type { JobsOptions } from 'bullmq';
import type { DeployerEnvironment } from '#libs/config';

/**
 * Every queue and every job, declared once: which queue a job goes to, its
 * payload, its result and its options. Payloads carry ids only; workers
 * reload the rest. The queue names are also Redis keys (`<prefix>:builds:…`)
 * that the KEDA scaler and operators watch: they do not change.
 */
export const BUILD_QUEUE = 'builds';
/** Maintenance work, apart from builds so a long cleanup never takes a build's slot. */
export const CLEANUP_QUEUE = 'maintenance';

export const QUEUE_NAMES = [BUILD_QUEUE, CLEANUP_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export enum JobName {
  Build = 'build',
  Cleanup = 'cleanup',
}

export interface BuildJobPayload {
  buildId: string;
}

export interface CleanupJobPayload {
  /** Finished builds that ended before this instant (epoch ms) go. */
  olderThan: number;
  /** Only this user's builds; every user's when absent. */
  login?: string;
}

export interface CleanupJobResult {
  /** Builder jobs removed (Kubernetes Jobs, or local images). */
  jobsDeleted: number;
  recordsDeleted: number;
  /** Set when the run stopped early; the rest waits for the next run. */
  error?: string;
}

export interface JobPayloads {
  [JobName.Build]: BuildJobPayload;
  [JobName.Cleanup]: CleanupJobPayload;
}

export interface JobResults {
  /** The build's outcome as the dashboard shows it ("succeeded sha256:…, attempt 1 on the kubernetes driver"); none when there was nothing to run. */
  [JobName.Build]: string | undefined;
  [JobName.Cleanup]: CleanupJobResult;
}

interface JobDeclaration {
  queue: QueueName;
  /** Attempts, backoff and retention; what differs per job (its id, priority, deduplication) is the producer's. */
  options(config: DeployerEnvironment): JobsOptions;
}

/** One table of job options. Retention is bounded so Redis does not grow forever. */
export const JOBS: Record<JobName, JobDeclaration> = {
  [JobName.Build]: {
    queue: BUILD_QUEUE,
    options: (config) => ({
      attempts: config.BUILD_ATTEMPTS,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { count: 1_000, age: 7 * 24 * 3600 },
      removeOnFail: { count: 5_000, age: 14 * 24 * 3600 },
    }),
  },
  [JobName.Cleanup]: {
    queue: CLEANUP_QUEUE,
    options: () => ({ attempts: 1, removeOnComplete: { count: 500 }, removeOnFail: { count: 500 } }),
  },
};

/** The jobs a queue carries, as the catalogue declares them. */
export const jobsOf = (queue: QueueName): JobName[] => (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].queue === queue);

/** The queue job of one run of a build: the build id for its first run, so re-adding is a no-op. */
export const runJobId = (buildId: string, generation: number) => (generation > 0 ? `${buildId}-r${generation}` : buildId);

/** One job id per cron window: however many schedulers fire, the window runs once. */
export const scheduledCleanupJobId = (windowStart: Date) => `scheduled-${windowStart.toISOString().slice(0, 16).replace(/[-:]/g, '')}`;

/**
 * A user's requested cleanups share one job until it ends, across replicas
 * (BullMQ deduplication): a burst of requests queues one job, not one each.
 */
export const requestedCleanupDeduplication = (login: string | undefined): JobsOptions =>
  login === undefined ? {} : { deduplication: { id: `requested-cleanup:${login}` } };
