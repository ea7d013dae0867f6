import { Injectable, Optional } from '@nestjs/common';
import type { AuthenticatedUser } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';
import { InvalidInputError } from '#libs/errors';
import { ClusterRegistryHost } from './cluster-registry-host.js';

/** Where each driver pushes when neither the service nor the user names a registry. */
export const DEFAULT_REGISTRY_HOSTS = {
  local: '127.0.0.1:5001',
  kubernetes: 'nuvolaris-registry-svc:5000',
} as const;

const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

export const isRegistryHost = (value: string) => value.length <= 255 && HOST.test(value);

/**
 * The registry a user's images go to: the service's REGISTRY_HOST, else the
 * user's own REGISTRY_HOST, else the host the cluster announces (kubernetes
 * driver), else the driver's default.
 */
@Injectable()
export class RegistryHostResolver {
  constructor(
    private readonly config: DeployerEnvironment,
    @Optional() private readonly cluster?: ClusterRegistryHost,
  ) {}

  resolve(user: Pick<AuthenticatedUser, 'env'>): string {
    if (this.config.REGISTRY_HOST) return this.config.REGISTRY_HOST;
    const own = user.env.REGISTRY_HOST?.trim();
    if (own) {
      if (!isRegistryHost(own)) {
        throw new InvalidInputError('Your REGISTRY_HOST setting is not a valid registry host[:port].', 'InvalidRegistryHost');
      }
      return own;
    }
    return this.cluster?.current() ?? DEFAULT_REGISTRY_HOSTS[this.config.BUILD_DRIVER];
  }
}
