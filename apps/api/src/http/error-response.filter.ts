import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { sendError } from './error-body.js';
import {
  BadGatewayError,
  ConflictError,
  DependencyUnavailableError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  StoreUnavailableError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '#libs/errors';

const STATUS_OF: [new (...args: never[]) => DomainError, number][] = [
  [InvalidInputError, HttpStatus.BAD_REQUEST],
  [UnauthenticatedError, HttpStatus.UNAUTHORIZED],
  [ForbiddenError, HttpStatus.FORBIDDEN],
  [NotFoundError, HttpStatus.NOT_FOUND],
  [ConflictError, HttpStatus.CONFLICT],
  [PayloadTooLargeError, HttpStatus.PAYLOAD_TOO_LARGE],
  [DependencyUnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
  [TooManyRequestsError, HttpStatus.TOO_MANY_REQUESTS],
  [BadGatewayError, HttpStatus.BAD_GATEWAY],
];

/**
 * What callers, authenticated or not, learn of an internal dependency's
 * failure; the details (database names, addresses) go to the log only.
 */
const PUBLIC_MESSAGE_OF: Record<string, string> = {
  couchdb: 'The identity store (CouchDB) is unavailable; retry shortly.',
};

/** What callers learn when Redis cannot answer (the repositories say so with StoreUnavailableError). */
const STORE_UNAVAILABLE = 'The build service is temporarily unavailable; retry shortly.';

const messageOf = (exception: HttpException): string => {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
};

/** Maps every error Nest sees to its status and writes it in the wire format (errorBody). */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const [status, message] = this.describe(exception);
    if (response.sent || response.raw.headersSent) {
      response.raw.end();
      return;
    }
    sendError(response, status, message, exception instanceof TooManyRequestsError ? { 'retry-after': String(exception.retryAfterSeconds) } : {});
  }

  private describe(exception: unknown): [number, string] {
    if (exception instanceof StoreUnavailableError) {
      this.logger.warn(`Dependency unavailable: ${exception.message}`);
      return [HttpStatus.SERVICE_UNAVAILABLE, STORE_UNAVAILABLE];
    }
    if (exception instanceof DomainError) {
      const status = STATUS_OF.find(([type]) => exception instanceof type)?.[1] ?? HttpStatus.INTERNAL_SERVER_ERROR;
      if (status === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn(exception.message);
      if (exception instanceof DependencyUnavailableError && PUBLIC_MESSAGE_OF[exception.dependency]) {
        return [status, PUBLIC_MESSAGE_OF[exception.dependency]];
      }
      return [status, exception.message];
    }
    if (exception instanceof HttpException) return [exception.getStatus(), messageOf(exception)];
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return [HttpStatus.INTERNAL_SERVER_ERROR, 'Internal error'];
  }
}
