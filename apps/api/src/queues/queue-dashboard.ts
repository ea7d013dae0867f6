import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FailedAuthLimiter, IdentityProvider } from '#libs/auth';
import { BUILD_QUEUE, CLEANUP_QUEUE } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';
import { sendError } from '../http/error-body.js';
import { hijack } from '../http/hijacked-reply.js';
import { adminAuth } from './admin-auth.hook.js';

export const QUEUES_PATH = '/system/queues';

/**
 * The BullMQ dashboard of the build and maintenance queues, read-only (a
 * removed or retried job would leave its build record behind), for admins.
 * Payloads carry only build ids and cleanup parameters, never credentials.
 * Only the login is mounted at start: bull-board, its UI and their
 * dependencies (some 9 MiB of every replica's memory) are loaded on the
 * first request the login admits, into a Fastify instance of their own that
 * answers on the API's connection.
 */
export function mountQueueDashboard(app: NestFastifyApplication, config: DeployerEnvironment): void {
  const limiter = app.get(FailedAuthLimiter, { strict: false });
  const login = adminAuth(config, app.get(IdentityProvider), limiter);
  let board: Promise<FastifyInstance> | undefined;
  const answer = async (request: FastifyRequest, reply: FastifyReply) => {
    // Read-only: the board's writes are refused by bull-board too; bodies were consumed by the API's parser.
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendError(reply, 405, 'The queue dashboard is read-only');
    const opening = (board ??= dashboardServer(app));
    opening.catch(() => (board = undefined));
    const server = await opening;
    server.routing(request.raw, hijack(reply));
  };
  app.getHttpAdapter().getInstance().register(
    async (dashboard: FastifyInstance) => {
      // Every path below the dashboard's asks for the login first, one that leads nowhere too.
      dashboard.addHook('onRequest', login);
      dashboard.all('/', answer);
      dashboard.all('/*', answer);
    },
    { prefix: QUEUES_PATH },
  );
}

async function dashboardServer(app: NestFastifyApplication): Promise<FastifyInstance> {
  const [{ default: fastify }, { createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('fastify'),
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const board = new FastifyAdapter();
  board.setBasePath(QUEUES_PATH);
  const adapter = (name: string, description: string) =>
    new BullMQAdapter(app.get<Queue>(getQueueToken(name)), { readOnlyMode: true, description });
  createBullBoard({
    queues: [adapter(BUILD_QUEUE, 'Image builds, one job per build'), adapter(CLEANUP_QUEUE, 'Scheduled and requested cleanups')],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'deployer queues' } },
  });
  // Matched as the API matches: whatever the case, with or without a trailing slash.
  const server = fastify({ routerOptions: { caseSensitive: false, ignoreTrailingSlash: true } });
  server.setNotFoundHandler((request, reply) => sendError(reply, 404, `Cannot ${request.method} ${request.url}`));
  await server.register(board.registerPlugin(), { prefix: QUEUES_PATH });
  await server.ready();
  return server;
}
