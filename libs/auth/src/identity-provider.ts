import type { AuthenticatedUser } from './authenticated-user.js';
import type { OpenWhiskCredentials } from './authorization-header.js';

/**
 * Turns an OpenWhisk key into a user. Resolves null for unknown credentials and
 * throws DependencyUnavailableError when the backing store cannot answer, so
 * the API says 503 rather than 401.
 */
export abstract class IdentityProvider {
  abstract authenticate(credentials: OpenWhiskCredentials): Promise<AuthenticatedUser | null>;

  /** The user these credentials were found to be moments ago, if that is still in memory; asks no store. */
  known(_credentials: OpenWhiskCredentials): AuthenticatedUser | undefined {
    return undefined;
  }
}
