import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';

/**
 * Limits failed authentications per client address, across API replicas
 * (counters in Redis): past AUTH_FAILURES_PER_WINDOW 401s in a window, the
 * address gets 429 with Retry-After until the window ends. When Redis cannot
 * answer the request goes on; the answer then says what Redis's absence means.
 */
export function failedAuthRateLimit(redis: Redis, config: DeployerEnvironment): RequestHandler {
  const limit = config.AUTH_FAILURES_PER_WINDOW;
  const window = config.AUTH_FAILURE_WINDOW_SECONDS;
  return (req: Request, res: Response, next: NextFunction) => {
    // Routing ignores case, so the limit must too: /SYSTEM/API/… reaches the same key checks.
    if (limit === 0 || !req.path.toLowerCase().startsWith('/system/api/')) return next();
    const key = `${config.REDIS_PREFIX}:auth-failures:${req.ip ?? 'unknown'}`;
    redis.get(key).then(
      async (count) => {
        if (Number(count ?? 0) >= limit) {
          const ttl = await redis.ttl(key).catch(() => window);
          res.setHeader('retry-after', String(ttl > 0 ? ttl : window));
          res.status(429).json({ status: 'ko', message: 'Too many failed authentications from this address; retry later.' });
          return;
        }
        res.on('finish', () => {
          if (res.statusCode !== 401) return;
          redis.multi().incr(key).expire(key, window, 'NX').exec().catch(() => undefined);
        });
        next();
      },
      () => next(),
    );
  };
}
