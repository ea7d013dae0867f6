import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

/**
 * Takes the answer out of Fastify's hands, for code that writes it on the raw
 * response (a stream, another server's router). Fastify sends nothing more
 * for the request, so the headers its hooks set so far (the request id) are
 * put on the raw response here.
 */
export function hijack(reply: FastifyReply): ServerResponse {
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
  return reply.raw;
}
