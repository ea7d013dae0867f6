import { JobsOptions } from 'bullmq';

/** Queues and their jobs. Payloads carry ids only; workers reload the rest. */
export const BUILD_QUEUE = 'builds';

export enum BuildJobName {
  Build = 'build',
}

export interface BuildJobPayloads {
  [BuildJobName.Build]: { buildId: string };
}

export type BuildJobPayload<N extends BuildJobName> = BuildJobPayloads[N];

/** The queue job of one run of a build: the build id for its first run, so re-adding is a no-op. */
export const runJobId = (buildId: string, generation: number) => (generation > 0 ? `${buildId}-r${generation}` : buildId);

/** One table of job options; the job id is the run's (runJobId), so re-adding is a no-op. */
export function buildJobOptions(jobId: string, attempts: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { count: 1_000, age: 7 * 24 * 3600 },
    removeOnFail: { count: 5_000, age: 14 * 24 * 3600 },
  };
}
