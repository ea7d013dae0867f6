import type { AuthenticatedUser } from './authenticated-user.js';

/** The slice of an HTTP request the guard reads and writes. */
export interface AuthenticatedRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client address (behind trusted proxies, the one they forwarded). */
  readonly ip?: string;
  user?: AuthenticatedUser;
}
