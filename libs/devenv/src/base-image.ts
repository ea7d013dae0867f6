import { createHash } from 'node:crypto';
import { baseImageRootfs } from './base-image-rootfs.js';
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

export interface BaseImageOptions {
  readonly name?: string;
}

export const DEFAULT_BASE_IMAGE = 'openserverless/runtime-base:local';
const ROOTFS_LABEL = 'org.openserverless.devenv.rootfs-sha256';

/**
 * A tiny runtime-like image built without pulling anything: the rootfs made
 * here is imported into the engine's local store and tagged. BuildKit resolves
 * `FROM <name>` from that store. The rootfs digest is kept in a label, so an
 * unchanged image is reused and builds keep their cache.
 */
export async function ensureBaseImage(
  docker: Pick<DockerEngine, 'dockerHost' | 'dockerCli'>,
  options: BaseImageOptions = {},
): Promise<BaseImage> {
  const name = options.name ?? process.env.DEVENV_BASE_IMAGE ?? DEFAULT_BASE_IMAGE;
  const rootfs = await baseImageRootfs();
  const digest = createHash('sha256').update(rootfs).digest('hex');
  const inspected = await runDocker(docker, [
    'image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${ROOTFS_LABEL}"}}`, name,
  ]);
  const [existingId, existingDigest] = inspected.stdout.trim().split(' ');
  if (inspected.code === 0 && existingId && existingDigest === digest) {
    return { name, id: existingId, built: false };
  }
  const imported = await runDocker(
    docker,
    [
      'import',
      '--change', 'CMD ["/bin/sh"]',
      '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change', `LABEL ${ROOTFS_LABEL}=${digest}`,
      '-', name,
    ],
    rootfs,
  );
  if (imported.code !== 0) {
    throw new Error(`devenv: docker import of ${name} failed: ${imported.stderr.trim()}`);
  }
  return { name, id: imported.stdout.trim(), built: true };
}
