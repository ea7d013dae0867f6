import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { NotFoundError } from '#libs/errors';
import { RegistryRepository } from '#libs/registry';
import { OwnImage, OwnRepositoryResolver } from './own-repository.js';

export interface OwnImageDetails extends OwnImage {
  digest: string;
  /** Bytes the registry stores for the image: its layers plus its config. */
  size: number;
  created?: string;
  labels: Record<string, string>;
}

/** One tag of the caller's repository, as the registry describes it. */
@Injectable()
export class GetOwnImageUseCase {
  constructor(
    private readonly own: OwnRepositoryResolver,
    private readonly registry: RegistryRepository,
  ) {}

  async execute(user: AuthenticatedUser, tag: string): Promise<OwnImageDetails> {
    const image = this.own.image(user, tag);
    const manifest = await this.registry.manifest(image.host, image.repository, image.tag, image.credentials);
    if (!manifest) throw new NotFoundError(`Image ${image.repository}:${image.tag} not found`);
    const config = manifest.configDigest
      ? await this.registry.imageConfig(image.host, image.repository, manifest.configDigest, image.credentials)
      : { labels: {}, created: undefined };
    const size = manifest.layers.reduce((total, layer) => total + layer.size, manifest.configSize);
    return { ...image, digest: manifest.digest, size, created: config.created, labels: config.labels };
  }
}
