import { createHash } from 'node:crypto';
import { buildJobName } from './build-identity.js';

/** How clients of `build/ensure` name a build: 64 lowercase hex. */
export const ENSURE_ID = /^[0-9a-f]{64}$/;

export const isEnsureId = (value: string) => ENSURE_ID.test(value);

/**
 * The content address of an ensure build: what it is made of and nothing
 * else, so every replica, a restarted one included, computes the same id.
 * The prefix is versioned: changing what goes in means a new prefix.
 */
export function ensureBuildId(input: { builder: string; kind: string; source: string; file: Buffer | null }): string {
  return createHash('sha256')
    .update(JSON.stringify(['deployer-ensure/v1', input.builder, input.kind, input.source]))
    .update('\n')
    .update(input.file ?? Buffer.alloc(0))
    .digest('hex');
}

/** The tag of an ensure build's image: `<kind>-<first 20 hex of the id>`. */
export const ensureImageTag = (kind: string, ensureId: string) => `${kind}-${ensureId.slice(0, 20)}`;

/**
 * The record of one user's ensure build. The id is content-addressed across
 * users, the record is not: each user gets their own, under an id shaped like
 * every other build id (20 characters, safe in labels and Job names).
 */
export function ensureRecordId(login: string, ensureId: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['deployer-ensure-record/v1', login.toLowerCase(), ensureId]))
    .digest('hex')
    .slice(0, 20);
}

/** Deterministic per run; a retried failure gets a Job of its own, since its old Job may still exist. */
export function ensureJobName(login: string, recordId: string, generation: number): string {
  return buildJobName(login, generation === 0 ? recordId : `${recordId.slice(0, 14)}r${generation}`);
}
