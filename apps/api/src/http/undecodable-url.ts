import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { RouteTemplates } from '../operations/metrics/route-templates.js';
import { sendError } from './error-body.js';

/** Routes nowhere: requests whose own path the router cannot read are passed on under it. */
const NOWHERE = '/.undecodable';

type Rerouted = IncomingMessage & { originalUrl?: string };

/**
 * Fastify's router refuses a path with a malformed escape (`%ZZ`) before any
 * hook runs. The request goes on instead, under a path that matches no
 * route, with its own kept as `originalUrl` (Nest's 404 names it): request
 * id, timing and body parsing apply as to any other.
 */
export function rerouteUndecodable(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code !== 'FST_ERR_BAD_URL') {
    reply.send(error);
    return;
  }
  const raw: Rerouted = request.raw;
  raw.originalUrl = raw.url;
  raw.url = NOWHERE;
  request.server.routing(raw, reply.raw);
}

/**
 * Answers a rerouted request whose malformed escape stands for a route's
 * parameter with a 400 naming it; any other goes on to the 404.
 */
export function refuseUndecodableParams(fastify: FastifyInstance, routes: RouteTemplates): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw: Rerouted = request.raw;
    if (raw.url !== NOWHERE || raw.originalUrl === undefined) return done();
    const param = routes.undecodableParam(raw.originalUrl.split('?')[0]);
    if (param === undefined) return done();
    sendError(reply, 400, `Failed to decode param '${param}'`);
  });
}
