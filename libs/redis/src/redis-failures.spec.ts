import { Redis } from 'ioredis';
import { InvalidInputError, StoreUnavailableError } from '#libs/errors';
import { TranslateRedisFailures, storeFailure } from './redis-failures.js';

/** A Redis that is not there: the client refuses commands at once (offline queue off). */
const unreachable = () =>
  new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });

@TranslateRedisFailures()
class Probe {
  constructor(private readonly redis: Redis) {}

  async read(): Promise<string | null> {
    return this.redis.get('key');
  }

  async *scan(): AsyncGenerator<string> {
    yield 'first';
    await this.redis.get('key');
  }

  async refuse(): Promise<never> {
    throw new InvalidInputError('not a Redis failure');
  }

  twice(n: number): number {
    return n * 2;
  }
}

describe('Redis failures', () => {
  it('tells a command never sent from one that may have reached Redis', () => {
    const notSent = storeFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    expect(notSent).toBeInstanceOf(StoreUnavailableError);
    expect((notSent as StoreUnavailableError).mayHaveApplied).toBe(false);
    const cut = storeFailure(new Error('Command timed out'));
    expect((cut as StoreUnavailableError).mayHaveApplied).toBe(true);
    expect((storeFailure(new Error('read ECONNRESET')) as StoreUnavailableError).mayHaveApplied).toBe(true);
  });

  it('leaves any other error as it is', () => {
    const error = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(storeFailure(error)).toBe(error);
  });

  it('translates what the methods and generators of a decorated class throw, and nothing else', async () => {
    const redis = unreachable();
    const probe = new Probe(redis);
    try {
      await expect(probe.read()).rejects.toBeInstanceOf(StoreUnavailableError);
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const item of probe.scan()) seen.push(item);
        })(),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(seen).toEqual(['first']);
      await expect(probe.refuse()).rejects.toBeInstanceOf(InvalidInputError);
      expect(probe.twice(2)).toBe(4);
    } finally {
      redis.disconnect();
    }
  });
});
