import type { CouchdbConnectionOptions } from './couchdb-subjects.repository.js';

/** Where identities come from; parsed from the environment by the config lib. */
export type AuthOptions =
  | { readonly provider: 'couchdb'; readonly couchdb: CouchdbConnectionOptions; readonly cacheTtlMs?: number }
  | { readonly provider: 'static'; readonly usersFile: string; readonly cacheTtlMs?: number };

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
