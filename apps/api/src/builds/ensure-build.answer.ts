import { BuildRecord, pushReference } from '#libs/builds';

const MESSAGES = { queued: 'Build queued', running: 'Build running', succeeded: 'Build completed', failed: 'Build failed' } as const;

/** HTTP status of an ensure build's state: 202 in flight, 200 built, 409 failed. */
export const ensureStatusCode = (record: BuildRecord) =>
  record.state === 'succeeded' ? 200 : record.state === 'failed' ? 409 : 202;

/** The body clients of the ensure API read: `state`, `id`, `job_name`, `image` (the pull reference once built). */
export function ensureAnswer(record: BuildRecord) {
  const succeeded = record.state === 'succeeded';
  const failed = record.state === 'failed';
  return {
    status: failed ? 'ko' : 'ok',
    message: failed ? record.message || MESSAGES.failed : MESSAGES[record.state],
    id: record.ensureId,
    job_name: record.jobName,
    state: record.state,
    image: succeeded ? record.image : null,
    ...(succeeded ? { push_image: pushReference(record), digest: record.digest || undefined } : {}),
    ...(failed ? { reason: record.reason || undefined } : {}),
  };
}
