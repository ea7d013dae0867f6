import { Injectable, Optional } from '@nestjs/common';
import { isIP } from 'node:net';
import { type AuthenticatedUser, ownerOf } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';
import { ForbiddenError } from '#libs/errors';
import { ImageReference, messageExcerpt } from '#libs/images';
import { DEFAULT_REGISTRY_HOSTS } from '#libs/drivers';
import { ClusterRegistryHost, RegistryHostResolver } from '#libs/registry';

/** `localhost:5001`, `127.0.0.1:5001` and `[::1]:5001` are one server to the builder; so they are to this check. */
function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  const port = /:(\d+)$/.exec(lower)?.[1];
  const name = port === undefined ? lower : lower.slice(0, -port.length - 1);
  const loopback = name === 'localhost' || name === '[::1]' || name === '0.0.0.0' || (isIP(name) === 4 && name.startsWith('127.'));
  return `${loopback ? 'loopback' : name}:${port ?? ''}`;
}

/** Loopback and link-local: the builder's own host and the cloud metadata service, never a base image. */
function isLocalAddress(host: string): boolean {
  const canonical = canonicalHost(host);
  const name = canonical.slice(0, canonical.lastIndexOf(':'));
  return name === 'loopback' || (isIP(name) === 4 && name.startsWith('169.254.')) || name.startsWith('[fe80:');
}

/**
 * What a tenant may name as `source`, on top of SOURCE_ALLOWLIST: on the
 * deployer's own registries (where it pushes, the cluster's, the drivers'
 * defaults) only the caller's own repository, and nothing on loopback or
 * link-local addresses. The refusal reads the same whether or not the
 * image exists, so `source` cannot tell one tenant about another's images,
 * nor probe the builder's ports.
 */
@Injectable()
export class TenantSourcePolicy {
  constructor(
    private readonly config: DeployerEnvironment,
    private readonly registryHosts: RegistryHostResolver,
    @Optional() private readonly cluster?: ClusterRegistryHost,
  ) {}

  check(user: AuthenticatedUser, source: ImageReference, text: string): void {
    if (source.registry === undefined) return;
    const own = ownerOf(user);
    const ownRepository = source.repository === own || source.repository.startsWith(`${own}/`);
    const host = canonicalHost(source.registry);
    if (this.deployerRegistries(user).has(host)) {
      if (ownRepository) return;
      throw new ForbiddenError(
        `Source ${messageExcerpt(text)} is not allowed: on the deployer's registry a source must be in your own repository (${own}).`,
      );
    }
    if (isLocalAddress(source.registry)) {
      throw new ForbiddenError(`Source ${messageExcerpt(text)} is not allowed: sources on loopback or link-local addresses are refused.`);
    }
  }

  private deployerRegistries(user: AuthenticatedUser): Set<string> {
    const resolved = this.registryHosts.resolveBoth(user);
    const hosts = [
      this.config.REGISTRY_HOST,
      this.config.REGISTRY_PUSH_HOST,
      this.config.REGISTRY_PULL_HOST,
      resolved.push,
      resolved.pull,
      ...Object.values(this.cluster?.announced() ?? {}),
      ...DEFAULT_REGISTRY_HOSTS,
    ];
    return new Set(hosts.filter((host): host is string => Boolean(host)).map(canonicalHost));
  }
}
