import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

const ACCEPTED = /^[A-Za-z0-9._-]{1,64}$/;
type WithRequestId = FastifyRequest & { requestId?: string };

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, a new
 * one otherwise), echoed in the answer and kept in the build's record, so a
 * build can be traced from the request that started it.
 */
export function assignRequestIds(fastify: FastifyInstance): void {
  fastify.decorateRequest('requestId', '');
  fastify.addHook('onRequest', (request: WithRequestId, reply, done) => {
    const given = request.headers['x-request-id'];
    request.requestId = typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
    reply.header('x-request-id', request.requestId);
    done();
  });
}

export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<WithRequestId>().requestId ?? '',
);
