import { Injectable } from '@nestjs/common';
import { parseImageReference } from '#libs/images';
import { RegistryRepository } from './registry.repository.js';

/** Docker Hub, as references without a registry host mean it. */
const DOCKER_HUB = 'registry-1.docker.io';

export interface SourceImageConfig {
  user: string;
  workingDir: string;
}

/**
 * Reads a source image's config from the registry that serves it. A
 * reference without a host means Docker Hub (official images under
 * `library/`), as BuildKit resolves it.
 */
@Injectable()
export class SourceImageConfigReader {
  constructor(private readonly registry: RegistryRepository) {}

  /** The config, or null when the image cannot be found; a registry that cannot be reached throws. */
  async read(source: string): Promise<SourceImageConfig | null> {
    const reference = parseImageReference(source);
    const dockerHub = reference.registry === undefined || reference.registry === 'docker.io' || reference.registry === 'index.docker.io';
    const host = dockerHub ? DOCKER_HUB : (reference.registry as string);
    const repository = dockerHub && !reference.repository.includes('/') ? `library/${reference.repository}` : reference.repository;
    const manifest = await this.registry.manifest(host, repository, reference.digest ?? reference.tag ?? 'latest');
    if (!manifest?.configDigest) return null;
    const { user, workingDir } = await this.registry.imageConfig(host, repository, manifest.configDigest);
    return { user, workingDir };
  }
}
