import { baseImageRootfs } from './base-image-rootfs.js';
import type { DockerEngine } from './docker-engine.server.js';
import { ensureImportedImage, type BaseImage } from './imported-image.js';

export type { BaseImage } from './imported-image.js';

export interface BaseImageOptions {
  readonly name?: string;
}

export const DEFAULT_BASE_IMAGE = 'openserverless/runtime-base:local';

/**
 * A tiny runtime-like image built without pulling anything: busybox with a
 * /bin/extend that records the dependency file, running as nobody like the
 * OpenServerless python and nodejs runtimes.
 */
export async function ensureBaseImage(
  docker: Pick<DockerEngine, 'dockerHost' | 'dockerCli'>,
  options: BaseImageOptions = {},
): Promise<BaseImage> {
  const name = options.name ?? process.env.DEVENV_BASE_IMAGE ?? DEFAULT_BASE_IMAGE;
  return ensureImportedImage(docker, name, await baseImageRootfs(), [
    'CMD ["/bin/sh"]',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'USER nobody',
  ]);
}
