import { createHash } from 'node:crypto';
import { runDocker } from './docker-cli.js';
import type { DockerEngine } from './docker-engine.server.js';

export interface BaseImage {
  /** The local tag, e.g. openserverless/runtime-base:local. */
  readonly name: string;
  /** The image ID (sha256:…). */
  readonly id: string;
  /** Whether this call imported it (false when the same rootfs was already there). */
  readonly built: boolean;
}

const ROOTFS_LABEL = 'org.openserverless.devenv.rootfs-sha256';

/**
 * Imports a root filesystem (a tar archive) into the engine's local store
 * under `name`, with Dockerfile-like `changes` (USER, WORKDIR, ENV…). Nothing
 * is pulled. The digest of the rootfs and the changes is kept in a label, so
 * an unchanged image is reused and builds keep their cache.
 */
export async function ensureImportedImage(
  docker: Pick<DockerEngine, 'dockerHost' | 'dockerCli'>,
  name: string,
  rootfs: Buffer,
  changes: readonly string[],
): Promise<BaseImage> {
  const digest = createHash('sha256').update(rootfs).update(JSON.stringify(changes)).digest('hex');
  const inspected = await runDocker(docker, [
    'image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${ROOTFS_LABEL}"}}`, name,
  ]);
  const [existingId, existingDigest] = inspected.stdout.trim().split(' ');
  if (inspected.code === 0 && existingId && existingDigest === digest) {
    return { name, id: existingId, built: false };
  }
  const imported = await runDocker(
    docker,
    ['import', ...[...changes, `LABEL ${ROOTFS_LABEL}=${digest}`].flatMap((change) => ['--change', change]), '-', name],
    rootfs,
  );
  if (imported.code !== 0) {
    throw new Error(`devenv: docker import of ${name} failed: ${imported.stderr.trim()}`);
  }
  return { name, id: imported.stdout.trim(), built: true };
}
