import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { PushedImagesChannel } from '#libs/builds';
import { NotFoundError } from '#libs/errors';
import { RegistryRepository } from '#libs/registry';
import { OwnImage, OwnRepositoryResolver } from './own-repository.js';

export interface DeletedOwnImage extends OwnImage {
  /** The manifest digest the registry deleted. */
  digest: string;
}

/**
 * Deletes one tag of the caller's repository by its manifest digest (the
 * registry deletes by digest only, so other tags of the same manifest in
 * that repository go too).
 */
@Injectable()
export class DeleteOwnImageUseCase {
  constructor(
    private readonly own: OwnRepositoryResolver,
    private readonly registry: RegistryRepository,
    private readonly changes: PushedImagesChannel,
  ) {}

  async execute(user: AuthenticatedUser, tag: string): Promise<DeletedOwnImage> {
    const image = this.own.image(user, tag);
    const digest = await this.registry.deleteTag(image.host, image.repository, image.tag, image.credentials);
    if (!digest) throw new NotFoundError(`Image ${image.repository}:${image.tag} not found`);
    // Replicas forget what they knew of the repository, so no build request is answered from the deleted image.
    await this.changes.announce(`${image.host}/${image.repository}`);
    return { ...image, digest };
  }
}
