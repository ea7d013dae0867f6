import type { AuthenticatedUser } from '#libs/auth';

/** Basic-auth credentials for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The user's own registry credentials: their REGISTRY_SECRET when it is
 * `user:password` (a secret name means something only to the cluster).
 */
export function userRegistryCredentials(user: Pick<AuthenticatedUser, 'env'>): RegistryCredentials | undefined {
  const secret = user.env.REGISTRY_SECRET ?? '';
  const colon = secret.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: secret.slice(0, colon), password: secret.slice(colon + 1) };
}

export const basicAuthorization = ({ username, password }: RegistryCredentials) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
