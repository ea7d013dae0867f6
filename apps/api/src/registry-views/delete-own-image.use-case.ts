import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { PushedImagesChannel } from '#libs/builds';
import { NotFoundError } from '#libs/errors';
import { ExistingImageFinder, RegistryRepository } from '#libs/registry';
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
    private readonly finder: ExistingImageFinder,
  ) {}

  async execute(user: AuthenticatedUser, tag: string): Promise<DeletedOwnImage> {
    const image = this.own.image(user, tag);
    const digest = await this.registry.deleteTag(image.host, image.repository, image.tag, image.credentials);
    if (!digest) throw new NotFoundError(`Image ${image.repository}:${image.tag} not found`);
    // No build request is answered from the deleted image: this replica forgets at once (its own announcement
    // reaches it later, through Redis), the others when the announcement does.
    const repository = `${image.host}/${image.repository}`;
    this.finder.forget(repository);
    await this.changes.announce(repository);
    return { ...image, digest };
  }
}
