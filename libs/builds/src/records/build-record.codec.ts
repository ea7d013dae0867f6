import type { FailureReason } from '#libs/errors';
import { BuildRecord } from './build-record.js';
import { BuildState } from './build-state.js';

/**
 * Redis hashes hold strings; this is the one place that converts. The record
 * goes to the store's scripts as one argument, a JSON array of field, value,
 * field, value… (they HSET it unpacked).
 */
export function encodeRecord(record: BuildRecord): string {
  // A plain loop: this runs for every accepted request, and entries/fromEntries/flat allocate arrays per field.
  const fields: string[] = [];
  for (const name of Object.keys(record) as (keyof BuildRecord)[]) fields.push(name, encodeField(record, name));
  return JSON.stringify(fields);
}

function encodeField(record: BuildRecord, name: keyof BuildRecord): string {
  if (name === 'hasFile' || name === 'force') return record[name] ? '1' : '0';
  if (name === 'logTail') return JSON.stringify(record.logTail);
  return String(record[name]);
}

export function decodeRecord(hash: Record<string, string>): BuildRecord | null {
  if (!hash.id) return null;
  const num = (v: string | undefined) => (v ? Number(v) : 0);
  return {
    id: hash.id,
    login: hash.login ?? '',
    user: hash.user ?? '',
    kind: hash.kind ?? '',
    source: hash.source ?? '',
    target: hash.target ?? '',
    registryHost: hash.registryHost ?? '',
    image: hash.image ?? '',
    pushImage: hash.pushImage ?? '',
    ensureId: hash.ensureId ?? '',
    generation: num(hash.generation),
    jobName: hash.jobName ?? '',
    identity: hash.identity ?? '',
    claim: hash.claim ?? '',
    hasFile: hash.hasFile === '1',
    fileSha256: hash.fileSha256 ?? '',
    force: hash.force === '1',
    state: hash.state as BuildState,
    // Written only from the catalogue (BuildOutcome's type); read back as stored.
    reason: (hash.reason ?? '') as FailureReason | '',
    message: hash.message ?? '',
    digest: hash.digest ?? '',
    logTail: hash.logTail ? (JSON.parse(hash.logTail) as string[]) : [],
    requestId: hash.requestId ?? '',
    createdAt: num(hash.createdAt),
    startedAt: num(hash.startedAt),
    finishedAt: num(hash.finishedAt),
  };
}
