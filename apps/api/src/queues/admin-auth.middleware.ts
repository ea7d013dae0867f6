import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { IdentityProvider } from '#libs/auth';
import { DeployerEnvironment } from '#libs/config';

const sameSecret = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Admission to the queue dashboard, by HTTP basic auth so a browser can log
 * in: the password ADMIN_TOKEN (any user name), or an OpenWhisk key
 * (`uuid` as user, `key` as password) whose login is in ADMIN_LOGINS.
 * Without either setting nobody gets in.
 */
export function adminAuth(config: DeployerEnvironment, identities: IdentityProvider): RequestHandler {
  const admins = new Set((config.ADMIN_LOGINS ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean));
  const refuse = (res: Response) =>
    res.status(401).setHeader('www-authenticate', 'Basic realm="deployer queues", charset="UTF-8"').json({
      status: 'ko',
      message: 'The queue dashboard is for administrators: log in with ADMIN_TOKEN or an admin OpenWhisk key',
    });
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) return refuse(res);
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (config.ADMIN_TOKEN && sameSecret(password, config.ADMIN_TOKEN)) return next();
    if (admins.size === 0) return refuse(res);
    identities.authenticate({ uuid: user, key: password }).then(
      (found) => (found && admins.has(found.login.toLowerCase()) ? next() : refuse(res)),
      () => res.status(503).json({ status: 'ko', message: 'Cannot check the credentials right now; retry shortly.' }),
    );
  };
}
