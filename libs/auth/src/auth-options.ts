import type { CouchdbConnectionOptions } from './couchdb-subjects.repository.js';
import type { FailedAuthLimits } from './failed-auth.limiter.js';

interface CommonAuthOptions {
  readonly cacheTtlMs?: number;
  /** Limits on failed checks, counted in the application's Redis; none when absent. */
  readonly failedAuthLimits?: FailedAuthLimits;
}

/** Where identities come from; the API builds them from its validated config (apps/api/src/auth-options.ts). */
export type AuthOptions =
  | (CommonAuthOptions & { readonly provider: 'couchdb'; readonly couchdb: CouchdbConnectionOptions })
  | (CommonAuthOptions & { readonly provider: 'static'; readonly usersFile: string });

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
