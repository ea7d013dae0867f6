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
    const started = performance.now();
    // A Node response emits 'close' once, after 'finish' when the answer was
    // sent whole, or when the connection went first.
    reply.raw.on('close', () => {
      metrics.observe(request.method, routeOf(request, routes), reply.raw.statusCode, (performance.now() - started) / 1e3);
    });
    done();
  });
}
