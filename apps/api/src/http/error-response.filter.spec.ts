import { ArgumentsHost } from '@nestjs/common';
import { createRequire } from 'node:module';
import { StoreUnavailableError } from '#libs/errors';
import { storeFailure } from '#libs/redis';
import { ErrorResponseFilter } from './error-response.filter.js';

// The error ioredis itself raises; it is not exported from the package root.
const { default: MaxRetriesPerRequestError } = createRequire(import.meta.url)('ioredis/built/errors/MaxRetriesPerRequestError.js') as {
  default: new (maxRetries: number) => Error;
};

/** Just enough of a Fastify reply to read what the filter wrote. */
function answer(exception: unknown): { status: number; body: unknown } {
  const written = { status: 0, body: undefined as unknown };
  const response = {
    sent: false,
    raw: { headersSent: false },
    headers() {
      return this;
    },
    code(code: number) {
      written.status = code;
      return this;
    },
    send(body: unknown) {
      written.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new ErrorResponseFilter().catch(exception, host);
  return written;
}

describe('ErrorResponseFilter and Redis connection failures', () => {
  it('answers 503, not 500, when ioredis gives up on a command whose connection dropped (MaxRetriesPerRequestError)', () => {
    const error = new MaxRetriesPerRequestError(1);
    expect(error.message).not.toMatch(/MaxRetriesPerRequest/);
    const translated = storeFailure(error);
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    const { status, body } = answer(translated);
    expect(status).toBe(503);
    expect(body).toEqual({ status: 'ko', message: 'The build service is temporarily unavailable; retry shortly.' });
  });

  it('still answers 500 to a failure that is no dependency being away', () => {
    expect(answer(new Error('undefined is not a function')).status).toBe(500);
  });
});
