export const BUILD_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type BuildState = (typeof BUILD_STATES)[number];

export const isFinished = (state: BuildState) => state === 'succeeded' || state === 'failed';
