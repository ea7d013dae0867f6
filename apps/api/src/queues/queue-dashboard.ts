import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { FailedAuthLimiter, IdentityProvider } from '#libs/auth';
import { BUILD_QUEUE, CLEANUP_QUEUE } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';
import { adminAuth } from './admin-auth.middleware.js';

export const QUEUES_PATH = '/system/queues';

/**
 * The BullMQ dashboard of the build and maintenance queues, read-only (a
 * removed or retried job would leave its build record behind), for admins.
 * Payloads carry only build ids and cleanup parameters, never credentials.
 */
export function mountQueueDashboard(app: NestExpressApplication, config: DeployerEnvironment): void {
  const limiter = app.get(FailedAuthLimiter, { strict: false });
  let router: Promise<RequestHandler> | undefined;
  const dashboard: RequestHandler = (req, res, next) => {
    (router ??= dashboardRouter(app)).then((handle) => handle(req, res, next), next);
  };
  app.use(QUEUES_PATH, adminAuth(config, app.get(IdentityProvider), limiter), dashboard);
}

/**
 * Built on the first admitted request: bull-board, its dependencies and its UI
 * would otherwise sit in the heap of every replica, opened or not.
 */
async function dashboardRouter(app: NestExpressApplication): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const board = new ExpressAdapter();
  board.setBasePath(QUEUES_PATH);
  const adapter = (name: string, description: string) =>
    new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: true, description });
  createBullBoard({
    queues: [adapter(BUILD_QUEUE, 'Image builds, one job per build'), adapter(CLEANUP_QUEUE, 'Scheduled and requested cleanups')],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'deployer queues' } },
  });
  return board.getRouter();
}
