import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UnauthenticatedError } from '#libs/errors';
import type { AuthenticatedRequest } from './authenticated-request.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import { IdentityProvider } from './identity-provider.js';

/**
 * Admits requests whose OpenWhisk key names a user and stores that user on
 * `request.user`. DependencyUnavailableError passes through untouched so the
 * caller sees 503, not 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly identities: IdentityProvider) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (Array.isArray(header)) throw new UnauthenticatedError('Invalid authorization');

    const user = await this.identities.authenticate(parseAuthorizationHeader(header));
    if (!user) throw new UnauthenticatedError('Invalid authorization');
    request.user = user;
    return true;
  }
}
