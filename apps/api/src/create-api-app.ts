import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DeployerEnvironment, createLogger } from '#libs/config';
import { ApiModule } from './api.module.js';
import { configureBodyParsing } from './http/body-parsing.js';
import { answerClientErrorInJson } from './http/client-error.handler.js';
import { describeWholeBodies } from './http/whole-bodies.js';
import { assignRequestIds } from './http/request-id.js';
import { refuseUndecodableParams, rerouteUndecodable } from './http/undecodable-url.js';
import { ErrorResponseFilter } from './http/error-response.filter.js';
import { validationPipe } from './http/validation.pipe.js';
import { setupOpenApi } from './openapi/openapi.js';
import { mountQueueDashboard } from './queues/queue-dashboard.js';
import { timeHttpRequests } from './operations/metrics/http-metrics.hook.js';
import { HttpRequestMetrics } from './operations/metrics/http-request.metrics.js';
import { RouteTemplates } from './operations/metrics/route-templates.js';

/** Longer than any path Node's 16 KiB header limit lets through: a long build id or tag is a 404, not a 414. */
const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * Fastify set up to answer as the service always has: paths match whatever
 * their case and with or without a trailing slash, and Node's own socket
 * timeouts (Fastify's defaults differ).
 */
const adapter = (config: DeployerEnvironment) =>
  new FastifyAdapter({
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // X-Forwarded-For only from the operator's proxies: the client address keys the failed-authentication limit.
    trustProxy: config.TRUSTED_PROXIES ? config.TRUSTED_PROXIES.split(',').map((entry) => entry.trim()) : false,
    keepAliveTimeout: 5_000,
    requestTimeout: 300_000,
    // Requests on open connections are answered while the server closes, as they are during the drain.
    return503OnClosing: false,
    frameworkErrors: rerouteUndecodable,
    clientErrorHandler: answerClientErrorInJson,
  });

/** The configured HTTP application, not yet listening (tests listen on port 0). */
export async function createApiApp(
  config: DeployerEnvironment,
  logger: LogLevel[] = ['error', 'warn', 'log'],
  options: { shutdownHooks?: boolean } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter(config), {
    bodyParser: false,
    logger: createLogger(config, logger),
  });
  const fastify = app.getHttpAdapter().getInstance();
  // First, so that requests refused by body parsing are timed too.
  timeHttpRequests(fastify, app.get(HttpRequestMetrics), app.get(RouteTemplates));
  assignRequestIds(fastify);
  configureBodyParsing(fastify);
  refuseUndecodableParams(fastify, app.get(RouteTemplates));
  describeWholeBodies(fastify);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ErrorResponseFilter());
  setupOpenApi(app);
  mountQueueDashboard(app, config);
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  return app;
}
