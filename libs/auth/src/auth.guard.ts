import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UnauthenticatedError } from '#libs/errors';
import type { AuthenticatedRequest } from './authenticated-request.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import { FailedAuthLimiter } from './failed-auth.limiter.js';
import { IdentityProvider } from './identity-provider.js';

/**
 * Admits requests whose OpenWhisk key names a user and stores that user on
 * `request.user`. Every key check, whatever path led here, goes through the
 * failed-authentication limiter, keyed by the uuid tried and the client
 * address; a key found valid moments ago passes without a check, so a guesser
 * cannot lock its owner out. DependencyUnavailableError passes through
 * untouched so the caller sees 503, not 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly identities: IdentityProvider,
    @Optional() @Inject(FailedAuthLimiter) private readonly limiter?: FailedAuthLimiter | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (Array.isArray(header)) throw new UnauthenticatedError('Invalid authorization');

    const credentials = parseAuthorizationHeader(header);
    const check = () => this.identities.authenticate(credentials);
    const user =
      this.identities.known(credentials) ??
      (this.limiter
        ? await this.limiter.attempt({ tried: credentials.uuid, address: request.ip ?? 'unknown' }, credentials.key, check)
        : await check());
    if (!user) throw new UnauthenticatedError('Invalid authorization');
    request.user = user;
    return true;
  }
}
