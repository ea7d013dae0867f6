import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { RegistryRepository } from '#libs/registry';
import { OwnRepository, OwnRepositoryResolver, imageOf } from './own-repository.js';

export interface OwnImageList extends OwnRepository {
  images: { tag: string; image: string }[];
}

/** The tags of the caller's repository, sorted; none when it does not exist yet. */
@Injectable()
export class ListOwnImagesUseCase {
  constructor(
    private readonly own: OwnRepositoryResolver,
    private readonly registry: RegistryRepository,
  ) {}

  async execute(user: AuthenticatedUser): Promise<OwnImageList> {
    const own = this.own.of(user);
    const tags = (await this.registry.tags(own.host, own.repository, own.credentials)).sort();
    return { ...own, images: tags.map((tag) => ({ tag, image: imageOf(own, tag) })) };
  }
}
