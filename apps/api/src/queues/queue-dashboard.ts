import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { FailedAuthLimiter, IdentityProvider } from '#libs/auth';
import { BUILD_QUEUE, CLEANUP_QUEUE } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';
import { sendError } from '../http/error-body.js';
import { adminAuth } from './admin-auth.hook.js';

export const QUEUES_PATH = '/system/queues';

/**
 * The BullMQ dashboard of the build and maintenance queues, read-only (a
 * removed or retried job would leave its build record behind), for admins.
 * Payloads carry only build ids and cleanup parameters, never credentials.
 */
export function mountQueueDashboard(app: NestFastifyApplication, config: DeployerEnvironment): void {
  const board = new FastifyAdapter();
  board.setBasePath(QUEUES_PATH);
  const adapter = (name: string, description: string) =>
    new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: true, description });
  createBullBoard({
    queues: [adapter(BUILD_QUEUE, 'Image builds, one job per build'), adapter(CLEANUP_QUEUE, 'Scheduled and requested cleanups')],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'deployer queues' } },
  });
  const limiter = app.get(FailedAuthLimiter, { strict: false });
  const login = adminAuth(config, app.get(IdentityProvider), limiter);
  app.getHttpAdapter().getInstance().register(
    async (dashboard: FastifyInstance) => {
      // Every path below the dashboard's asks for the login first, one that leads nowhere too.
      dashboard.addHook('onRequest', login);
      dashboard.setNotFoundHandler((request, reply) => sendError(reply, 404, `Cannot ${request.method} ${request.url}`));
      await dashboard.register(board.registerPlugin());
    },
    { prefix: QUEUES_PATH },
  );
}
