import { JobsOptions } from 'bullmq';

/** Maintenance work, apart from builds so a long cleanup never takes a build's slot. */
export const CLEANUP_QUEUE = 'maintenance';

export enum CleanupJobName {
  Cleanup = 'cleanup',
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

/** One job id per cron window: however many schedulers fire, the window runs once. */
export function scheduledCleanupOptions(windowStart: Date): JobsOptions {
  return {
    jobId: `scheduled-${windowStart.toISOString().slice(0, 16).replace(/[-:]/g, '')}`,
    attempts: 1,
    removeOnComplete: { count: 500 },
    removeOnFail: { count: 500 },
  };
}

/**
 * A user's requested cleanups share one job until it ends, across replicas
 * (BullMQ deduplication): a burst of requests queues one job, not one each.
 */
export function requestedCleanupOptions(login: string | undefined): JobsOptions {
  return {
    attempts: 1,
    removeOnComplete: { count: 500 },
    removeOnFail: { count: 500 },
    ...(login === undefined ? {} : { deduplication: { id: `requested-cleanup:${login}` } }),
  };
}
