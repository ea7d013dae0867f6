import type { FastifyReply } from 'fastify';

/** The error wire format, `{"status":"ko","message":…}`: every error answer of the service is this body. */
export const errorBody = (message: string) => ({ status: 'ko' as const, message });

/** Answers an error, from Nest's filter or from a hook that runs before the routes (body parsing, dashboard login). */
export function sendError(reply: FastifyReply, status: number, message: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).send(errorBody(message));
}
