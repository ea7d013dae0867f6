import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpRequestMetrics } from './http-request.metrics.js';
import { RouteTemplates } from './route-templates.js';

/** Label of requests that match no route: their raw paths would make unbounded series. */
export const UNMATCHED_ROUTE = 'unmatched';

const pathOf = (url: string) => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

const routeOf = (request: FastifyRequest, routes: RouteTemplates): string => {
  if (!request.is404 && request.routeOptions.url !== undefined) return request.routeOptions.url;
  const raw = request.raw as { originalUrl?: string };
  return routes.match(request.method, pathOf(raw.originalUrl ?? request.url)) ?? UNMATCHED_ROUTE;
};

/**
 * Times every request from its first byte to the end of the answer, on the
 * Node response: a hook of Fastify's own misses answers written by hand (the
 * log follow) and connections the client dropped.
 */
export function timeHttpRequests(fastify: FastifyInstance, metrics: HttpRequestMetrics, routes: RouteTemplates): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const started = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(request.method, routeOf(request, routes), reply.raw.statusCode, seconds);
    };
    reply.raw.once('finish', record);
    reply.raw.once('close', record);
    done();
  });
}
