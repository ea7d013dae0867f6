import type { AuthOptions } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';

/** The identity options of the API, from its validated config: a static users file or the CouchDB of OpenWhisk. */
export function authOptionsFrom(config: DeployerEnvironment): AuthOptions {
  const failedAuthLimits = {
    perWindow: config.AUTH_FAILURES_PER_WINDOW,
    perAddress: config.AUTH_FAILURES_PER_ADDRESS,
    windowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
    keyPrefix: config.REDIS_PREFIX,
  };
  if (config.AUTH_PROVIDER === 'static') {
    return { provider: 'static', usersFile: config.USERS_FILE, cacheTtlMs: config.AUTH_CACHE_TTL_MS, failedAuthLimits };
  }
  return {
    failedAuthLimits,
    provider: 'couchdb',
    couchdb: {
      url: `${config.COUCHDB_PROTOCOL}://${config.COUCHDB_SERVICE_HOST}:${config.COUCHDB_SERVICE_PORT}`,
      user: config.COUCHDB_ADMIN_USER,
      password: config.COUCHDB_ADMIN_PASSWORD,
      prefix: config.COUCHDB_PREFIX,
    },
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
  };
}
