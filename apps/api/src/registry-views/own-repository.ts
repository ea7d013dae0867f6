import { Injectable } from '@nestjs/common';
import { type AuthenticatedUser, ownerOf } from '#libs/auth';
import { InvalidInputError } from '#libs/errors';
import { isTag, messageExcerpt } from '#libs/images';
import { RegistryCredentials, RegistryHostResolver, userRegistryCredentials } from '#libs/registry';

/** The caller's repository: the only one these views can reach. */
export interface OwnRepository {
  /** host[:port] of the registry the caller's images go to. */
  readonly host: string;
  /** The caller's login, lowercased. */
  readonly repository: string;
  /** The caller's own registry credentials (REGISTRY_SECRET), never the service's. */
  readonly credentials?: RegistryCredentials;
}

/** One tag of the caller's repository. */
export interface OwnImage extends OwnRepository {
  readonly tag: string;
  /** `<host>/<repository>:<tag>`, as a build reports it. */
  readonly image: string;
}

/**
 * Derives the repository from the caller alone, so no request can name
 * another user's repository.
 */
@Injectable()
export class OwnRepositoryResolver {
  constructor(private readonly registryHosts: RegistryHostResolver) {}

  of(user: AuthenticatedUser): OwnRepository {
    return {
      repository: ownerOf(user),
      host: this.registryHosts.resolve(user),
      credentials: userRegistryCredentials(user),
    };
  }

  image(user: AuthenticatedUser, tag: string): OwnImage {
    if (typeof tag !== 'string' || !isTag(tag)) {
      throw new InvalidInputError(
        `Invalid tag ${messageExcerpt(String(tag))}: expected 1 to 128 of letters, digits, "_", "." or "-", ` +
          'not starting with "." or "-".',
        'InvalidTag',
      );
    }
    const own = this.of(user);
    return { ...own, tag, image: imageOf(own, tag) };
  }
}

export const imageOf = (own: OwnRepository, tag: string) => `${own.host}/${own.repository}:${tag}`;
