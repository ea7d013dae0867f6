/** The caller, as the rest of the deployer sees it once the key is checked. */
export interface AuthenticatedUser {
  /** OpenServerless login; the user part of every image the caller may build. */
  readonly login: string;
  /** OpenWhisk subject that owns the key. */
  readonly subject: string;
  /** The user's OpenServerless environment (REGISTRY_HOST, REGISTRY_SECRET, …). */
  readonly env: Readonly<Record<string, string>>;
}

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
