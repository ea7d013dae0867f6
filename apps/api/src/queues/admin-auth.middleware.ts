import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { FailedAuthLimiter, IdentityProvider } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';
import { TooManyRequestsError } from '#libs/errors';

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
): RequestHandler {
  const admins = new Set((config.ADMIN_LOGINS ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean));
  const refuse = (res: Response) =>
    res.status(401).setHeader('www-authenticate', 'Basic realm="deployer queues", charset="UTF-8"').json({
      status: 'ko',
      message: 'The queue dashboard is for administrators: log in with ADMIN_TOKEN or an admin OpenWhisk key',
    });
  const isAdmin = async (user: string, password: string): Promise<true | null> => {
    if (config.ADMIN_TOKEN && sameSecret(password, config.ADMIN_TOKEN)) return true;
    if (admins.size === 0) return null;
    const found = await identities.authenticate({ uuid: user, key: password });
    return found && admins.has(found.login.toLowerCase()) ? true : null;
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) return refuse(res);
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    const known = identities.known({ uuid: user, key: password });
    if (known && admins.has(known.login.toLowerCase())) return next();
    const check = () => isAdmin(user, password);
    const guesser = { tried: DASHBOARD_LOGIN, address: req.ip ?? 'unknown' };
    (limiter ? limiter.attempt(guesser, decoded, check) : check()).then(
      (admitted) => (admitted ? next() : refuse(res)),
      (error: unknown) => {
        if (error instanceof TooManyRequestsError) {
          res.setHeader('retry-after', String(error.retryAfterSeconds));
          return res.status(429).json({ status: 'ko', message: error.message });
        }
        res.status(503).json({ status: 'ko', message: 'Cannot check the credentials right now; retry shortly.' });
      },
    );
  };
}
