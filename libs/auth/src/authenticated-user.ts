import { repositoryNameForLogin } from '#libs/images';

/** The caller, as the rest of the deployer sees it once the key is checked. */
export interface AuthenticatedUser {
  /** OpenServerless login, as the identity store spells it (any case). */
  readonly login: string;
  /**
   * What the caller owns: the login lowercased, the user part of every image
   * the caller may build, the `login` of its build records and its registry
   * repository. Empty when the login cannot name a repository (ownerOf says why).
   */
  readonly owner: string;
  /** OpenWhisk subject that owns the key. */
  readonly subject: string;
  /** The user's OpenServerless environment (REGISTRY_HOST, REGISTRY_SECRET, …). */
  readonly env: Readonly<Record<string, string>>;
}

/** The user an identity provider found, with its owner computed once. */
export function authenticatedUser(user: Omit<AuthenticatedUser, 'owner'>): AuthenticatedUser {
  let owner = '';
  try {
    owner = repositoryNameForLogin(user.login);
  } catch {
    // Such a user authenticates, owns nothing, and is told why by ownerOf where it needs a repository.
  }
  return Object.freeze({ login: user.login, subject: user.subject, env: user.env, owner });
}

/** The caller's owner, or the 400 InvalidLogin that says why the login cannot name a repository. */
export const ownerOf = (user: AuthenticatedUser): string => user.owner || repositoryNameForLogin(user.login);

/**
 * Merges the `env` and `userenv` arrays of a users_metadata document
 * (`[{ key, value }]`); userenv wins. Malformed entries are skipped rather than
 * refused, since operators edit these documents by hand.
 */
export function mergeUserEnv(env: unknown, userenv: unknown): Readonly<Record<string, string>> {
  const merged: Record<string, string> = Object.create(null);
  for (const source of [env, userenv]) {
    if (!Array.isArray(source)) continue;
    for (const entry of source) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { key, value } = entry as { key?: unknown; value?: unknown };
      if (typeof key === 'string' && key !== '' && typeof value === 'string') merged[key] = value;
    }
  }
  return Object.freeze({ ...merged });
}
