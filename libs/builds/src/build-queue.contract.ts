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

/** One table of job options; the job id is the build id, so re-adding is a no-op. */
export function buildJobOptions(buildId: string, attempts: number): JobsOptions {
  return {
    jobId: buildId,
    attempts,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { count: 1_000, age: 7 * 24 * 3600 },
    removeOnFail: { count: 5_000, age: 14 * 24 * 3600 },
  };
}
