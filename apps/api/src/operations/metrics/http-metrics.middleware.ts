import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpRequestMetrics } from './http-request.metrics.js';
import { RouteTemplates } from './route-templates.js';

/** Label of requests that match no route: their raw paths would make unbounded series. */
export const UNMATCHED_ROUTE = 'unmatched';

const routeOf = (request: Request, routes: RouteTemplates): string => {
  const routed = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof routed === 'string') return request.baseUrl + routed;
  return routes.match(request.method, request.path) ?? UNMATCHED_ROUTE;
};

/**
 * Times every request from its first byte to the end of the answer. Express
 * middleware rather than a Nest interceptor, which would miss requests refused
 * by a guard or by body parsing.
 */
export function httpMetricsMiddleware(metrics: HttpRequestMetrics, routes: RouteTemplates): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(request.method, routeOf(request, routes), response.statusCode, seconds);
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}
