import { hash, randomFillSync } from 'node:crypto';

// One-shot hashing: no Hash object per call, on every build request's path.
const sha256 = (data: string | Buffer) => hash('sha256', data, 'hex');

/** The SHA-256 of the dependency file's bytes (text is hashed as UTF-8). */
export const fileDigest = (file: string | Buffer) => sha256(file);

/**
 * What the image is made of. Two builds with the same identity produce the
 * same image, so an image labelled with it needs no rebuild. The version
 * changes whenever the way a kind installs changes: v2 installs for real
 * where v1 only ran /bin/extend, so a v1 image is never taken for a v2 one.
 */
export function buildIdentity(input: { source: string; kind: string; fileSha256: string }): string {
  return sha256(JSON.stringify(['deployer/v2', input.source, input.kind, input.fileSha256]));
}

/** Identical requests of one user for one target share a build while it runs. */
export function coalescingKey(input: { login: string; target: string; identity: string }): string {
  return sha256(JSON.stringify([input.login.toLowerCase(), input.target, input.identity]));
}

const ID_RANDOM_BYTES = 6;
/** Random bytes for ids, drawn 512 ids at a time: one call into the CSPRNG per id costs more than the rest of it. */
const idRandomness = Buffer.alloc(ID_RANDOM_BYTES * 512);
let idRandomnessUsed = idRandomness.length;

/** Lowercase, time-ordered, 20 characters: safe in DNS labels and Redis keys. */
export function newBuildId(now = Date.now()): string {
  if (idRandomnessUsed === idRandomness.length) {
    randomFillSync(idRandomness);
    idRandomnessUsed = 0;
  }
  const random = idRandomness.toString('hex', idRandomnessUsed, idRandomnessUsed + ID_RANDOM_BYTES).slice(0, 11);
  idRandomnessUsed += ID_RANDOM_BYTES;
  return now.toString(36).padStart(9, '0') + random;
}

const MAX_LABEL = 63;

/**
 * `build-<user>-<id>` as a valid DNS-1123 label of at most 63 characters,
 * whatever the login looks like; the id keeps it unique.
 */
export function buildJobName(user: string, buildId: string): string {
  const room = MAX_LABEL - 'build-'.length - 1 - buildId.length;
  const cleaned = user
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return cleaned ? `build-${cleaned}-${buildId}` : `build-${buildId}`;
}
