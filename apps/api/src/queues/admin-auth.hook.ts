import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { FailedAuthLimiter, IdentityProvider, parseBasicAuthorization } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';
import { TooManyRequestsError } from '#libs/errors';
import { sendError } from '../http/error-body.js';

const sameSecret = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Any user name opens the dashboard with the token, so the guesser is the address alone. */
const DASHBOARD_LOGIN = 'queue dashboard';

/**
 * Admission to the queue dashboard, by HTTP basic auth so a browser can log
 * in: the password ADMIN_TOKEN (any user name), or an OpenWhisk key
 * (`uuid` as user, `key` as password) whose login is in ADMIN_LOGINS.
 * Without either setting nobody gets in. Wrong logins count against the
 * failed-authentication limit like wrong keys on the API.
 */
export function adminAuth(
  config: DeployerEnvironment,
  identities: IdentityProvider,
  limiter: FailedAuthLimiter | null,
): onRequestHookHandler {
  const admins = new Set((config.ADMIN_LOGINS ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean));
  const refuse = (reply: FastifyReply) =>
    sendError(reply, 401, 'The queue dashboard is for administrators: log in with ADMIN_TOKEN or an admin OpenWhisk key', {
      'www-authenticate': 'Basic realm="deployer queues", charset="UTF-8"',
    });
  const isAdmin = async (user: string, password: string): Promise<true | null> => {
    if (config.ADMIN_TOKEN && sameSecret(password, config.ADMIN_TOKEN)) return true;
    if (admins.size === 0) return null;
    const found = await identities.authenticate({ uuid: user, key: password });
    return found && admins.has(found.owner) ? true : null;
  };
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const basic = parseBasicAuthorization(request.headers.authorization);
    if (!basic) return void refuse(reply);
    const { user, password } = basic;
    const decoded = `${user}:${password}`;
    const known = identities.known({ uuid: user, key: password });
    if (known && admins.has(known.owner)) return done();
    const check = () => isAdmin(user, password);
    const guesser = { tried: DASHBOARD_LOGIN, address: request.ip ?? 'unknown' };
    (limiter ? limiter.attempt(guesser, decoded, check) : check()).then(
      (admitted) => (admitted ? done() : refuse(reply)),
      (error: unknown) => {
        if (error instanceof TooManyRequestsError) {
          return sendError(reply, 429, error.message, { 'retry-after': String(error.retryAfterSeconds) });
        }
        sendError(reply, 503, 'Cannot check the credentials right now; retry shortly.');
      },
    );
  };
}
