import { DomainError, StoreUnavailableError } from '#libs/errors';

/**
 * The client refused the command before sending it (offline, or gave up
 * reconnecting): Redis did nothing. ioredis says so only in its messages and
 * error names, so this file is the one place that reads them.
 */
const NOT_SENT = /Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|ECONNREFUSED/;
/** Sent, then no answer in time or the connection lost mid-command: Redis may have done it. */
const CUT_SHORT = /Connection is closed|ECONNRESET|ETIMEDOUT|Command timed out/;

/** A connection-level failure of a Redis command as StoreUnavailableError; any other error as it is. */
export function storeFailure(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DomainError) return error;
  const text = `${error.name}: ${error.message}`;
  if (NOT_SENT.test(text)) return new StoreUnavailableError(error.message, false, { cause: error });
  if (CUT_SHORT.test(text)) return new StoreUnavailableError(error.message, true, { cause: error });
  return error;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

const isAsyncGenerator = (fn: Method) => Object.getPrototypeOf(fn)?.constructor?.name === 'AsyncGeneratorFunction';

function translating(method: Method): Method {
  if (isAsyncGenerator(method)) {
    return async function* (this: unknown, ...args: unknown[]) {
      try {
        yield* method.apply(this, args) as AsyncGenerator<unknown>;
      } catch (error) {
        throw storeFailure(error);
      }
    };
  }
  return function (this: unknown, ...args: unknown[]) {
    try {
      const result = method.apply(this, args);
      return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(storeFailure(error))) : result;
    } catch (error) {
      throw storeFailure(error);
    }
  };
}

/**
 * On a class that talks to Redis (a repository, a queue producer): every
 * method's connection-level failure leaves it as StoreUnavailableError, so
 * callers decide on a type instead of on ioredis' wording.
 */
export function TranslateRedisFailures(): ClassDecorator {
  return (target) => {
    const prototype = (target as unknown as { prototype: Record<string, unknown> }).prototype;
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if (key === 'constructor' || !descriptor || typeof descriptor.value !== 'function') continue;
      Object.defineProperty(prototype, key, { ...descriptor, value: translating(descriptor.value as Method) });
    }
  };
}
