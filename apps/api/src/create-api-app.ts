import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DeployerEnvironment, createLogger } from '#libs/config';
import { ApiModule } from './api.module.js';
import { configureBodyParsing } from './http/body-parsing.js';
import { answerClientErrorsInJson } from './http/client-error.handler.js';
import { requestIdMiddleware } from './http/request-id.js';
import { ErrorResponseFilter } from './http/error-response.filter.js';
import { validationPipe } from './http/validation.pipe.js';
import { setupOpenApi } from './openapi/openapi.js';
import { mountQueueDashboard } from './queues/queue-dashboard.js';
import { httpMetricsMiddleware } from './operations/metrics/http-metrics.middleware.js';
import { HttpRequestMetrics } from './operations/metrics/http-request.metrics.js';
import { RouteTemplates } from './operations/metrics/route-templates.js';

/** The configured HTTP application, not yet listening (tests listen on port 0). */
export async function createApiApp(
  config: DeployerEnvironment,
  logger: LogLevel[] = ['error', 'warn', 'log'],
  options: { shutdownHooks?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger: createLogger(config, logger),
  });
  app.disable('x-powered-by');
  // X-Forwarded-For only from the operator's proxies: the client address keys the failed-authentication limit.
  app.set('trust proxy', config.TRUSTED_PROXIES ? config.TRUSTED_PROXIES.split(',').map((entry) => entry.trim()) : false);
  // First, so that requests refused by body parsing are timed too.
  app.use(httpMetricsMiddleware(app.get(HttpRequestMetrics), app.get(RouteTemplates)));
  app.use(requestIdMiddleware);
  configureBodyParsing(app);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ErrorResponseFilter());
  setupOpenApi(app);
  mountQueueDashboard(app, config);
  answerClientErrorsInJson(app.getHttpServer());
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  return app;
}
