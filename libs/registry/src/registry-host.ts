import { Injectable, Optional } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';
import { driverProfileOf } from '#libs/drivers';
import { InvalidInputError } from '#libs/errors';
import { isRegistryHost } from '#libs/images';
import { ClusterRegistryHost } from './cluster-registry-host.js';

/** Where a user's image goes (push) and the host in the reference an action runs on (pull). */
export interface RegistryHosts {
  push: string;
  pull: string;
}

type Variable = 'REGISTRY_PUSH_HOST' | 'REGISTRY_PULL_HOST' | 'REGISTRY_HOST';

/**
 * Resolves both registry hosts of a user. Per direction: its own variable
 * (service environment, then the user's), then REGISTRY_HOST (service, then
 * user) which has always meant both directions, then the cluster's
 * annotations, then the fallback: the driver's default for push, the push host
 * for pull. With only REGISTRY_HOST set, both are REGISTRY_HOST, as before.
 */
@Injectable()
export class RegistryHostResolver {
  constructor(
    private readonly config: DeployerEnvironment,
    @Optional() private readonly cluster?: ClusterRegistryHost,
  ) {}

  resolveBoth(user: Pick<AuthenticatedUser, 'env'>): RegistryHosts {
    const announced = this.cluster?.announced() ?? {};
    const push =
      this.configured('REGISTRY_PUSH_HOST', user) ??
      this.configured('REGISTRY_HOST', user) ??
      announced.push ??
      announced.internal ??
      driverProfileOf(this.config).defaultRegistryHost;
    const pull =
      this.configured('REGISTRY_PULL_HOST', user) ??
      this.configured('REGISTRY_HOST', user) ??
      announced.pull ??
      announced.host ??
      push;
    return { push, pull };
  }

  /** The push host: where images go and where existence checks and registry views look. */
  resolve(user: Pick<AuthenticatedUser, 'env'>): string {
    return this.resolveBoth(user).push;
  }

  private configured(name: Variable, user: Pick<AuthenticatedUser, 'env'>): string | undefined {
    const service = this.config[name];
    if (service) return service;
    const own = user.env[name]?.trim();
    if (!own) return undefined;
    if (!isRegistryHost(own)) {
      throw new InvalidInputError(`Your ${name} setting is not a valid registry host[:port].`, 'InvalidRegistryHost');
    }
    return own;
  }
}
