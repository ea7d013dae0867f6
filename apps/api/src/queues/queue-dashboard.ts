import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
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
  const board = new ExpressAdapter();
  board.setBasePath(QUEUES_PATH);
  const adapter = (name: string, description: string) =>
    new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: true, description });
  createBullBoard({
    queues: [adapter(BUILD_QUEUE, 'Image builds, one job per build'), adapter(CLEANUP_QUEUE, 'Scheduled and requested cleanups')],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'deployer queues' } },
  });
  const limiter = app.get(FailedAuthLimiter, { strict: false });
  app.use(QUEUES_PATH, adminAuth(config, app.get(IdentityProvider), limiter), board.getRouter());
}
