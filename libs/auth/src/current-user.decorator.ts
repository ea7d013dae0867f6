import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './authenticated-request.js';
import type { AuthenticatedUser } from './authenticated-user.js';

/** The user AuthGuard admitted; only valid on routes guarded by AuthGuard. */
export const CurrentUser = createParamDecorator<unknown, AuthenticatedUser>(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) throw new Error('@CurrentUser() used on a route that AuthGuard does not protect');
    return user;
  },
);
