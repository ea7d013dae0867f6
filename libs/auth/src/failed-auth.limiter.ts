import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '#libs/errors';

/** Returns the slots; a counter back at zero goes, so successful checks leave nothing in Redis. */
const GIVE_BACK = `for _, key in ipairs(KEYS) do if redis.call('DECR', key) <= 0 then redis.call('DEL', key) end end`;

export interface FailedAuthLimits {
  /** Checks that may fail per guesser and window (0: no limit). */
  readonly perWindow: number;
  /**
   * Checks that may fail per client address and window, whatever identities
   * it tries (0: no such limit): a guesser cycling through uuids gets
   * `perWindow` tries for each one, but no more than this in all.
   */
  readonly perAddress: number;
  readonly windowSeconds: number;
  /** Prefix of the Redis counters (the deployment's REDIS_PREFIX). */
  readonly keyPrefix: string;
}

/** Who is guessing: the identity tried (an OpenWhisk uuid, or a login form) and the client address. */
export interface Guesser {
  readonly tried: string;
  readonly address: string;
}

/**
 * Limits failed credential checks per guesser across API replicas, and per
 * client address in all. Each check reserves a slot in both counters first,
 * with atomic INCRs whose answers are compared, so a burst cannot slip more
 * checks through than the limits; a check that succeeds, or cannot run,
 * gives its slots back, so a working key never uses up either budget.
 * Identical attempts in flight share one check and one slot. When Redis
 * cannot answer the check goes on: the request then fails on its own merits.
 */
export class FailedAuthLimiter {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly limits: FailedAuthLimits,
  ) {}

  /**
   * Runs `check` (resolving null for wrong credentials) unless the guesser is
   * over the limit, which throws TooManyRequestsError without checking.
   * `secret` only tells identical attempts apart; it is hashed, never stored.
   */
  attempt<T>(guesser: Guesser, secret: string, check: () => Promise<T | null>): Promise<T | null> {
    if (this.limits.perWindow === 0) return check();
    const key = this.counterKey(guesser);
    const flightKey = `${key} ${createHash('sha256').update(secret).digest('base64')}`;
    const pending = this.inFlight.get(flightKey) as Promise<T | null> | undefined;
    if (pending) return pending;
    const flight = this.reserveAndCheck(key, this.addressKey(guesser), check).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, flight);
    return flight;
  }

  private async reserveAndCheck<T>(key: string, addressKey: string, check: () => Promise<T | null>): Promise<T | null> {
    const keys = this.limits.perAddress > 0 ? [key, addressKey] : [key];
    const reserved = await this.reserve(keys);
    if (reserved && reserved[0].count > this.limits.perWindow) {
      await this.giveBack(keys.slice(1));
      throw new TooManyRequestsError('Too many failed authentications for this key from this address; retry later.', this.retryAfter(reserved[0]));
    }
    if (reserved && reserved[1] && reserved[1].count > this.limits.perAddress) {
      await this.giveBack(keys.slice(0, 1));
      throw new TooManyRequestsError('Too many failed authentications from this address; retry later.', this.retryAfter(reserved[1]));
    }
    let found: T | null;
    try {
      found = await check();
    } catch (error) {
      // A check that could not run (the store is down) is no failed guess.
      if (reserved) await this.giveBack(keys);
      throw error;
    }
    if (found && reserved) await this.giveBack(keys);
    return found;
  }

  private retryAfter(counter: { ttl: number }): number {
    return counter.ttl > 0 ? counter.ttl : this.limits.windowSeconds;
  }

  /** A refused attempt keeps the slot of the counter that refused it and gives the others back. */
  private giveBack(keys: string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.redis.eval(GIVE_BACK, keys.length, ...keys).then(() => undefined, () => undefined);
  }

  private async reserve(keys: string[]): Promise<{ count: number; ttl: number }[] | null> {
    try {
      const transaction = this.redis.multi();
      for (const key of keys) transaction.incr(key).expire(key, this.limits.windowSeconds, 'NX').ttl(key);
      const replies = await transaction.exec();
      if (!replies || replies.some(([error]) => error)) return null;
      return keys.map((_, index) => ({ count: Number(replies[index * 3][1]), ttl: Number(replies[index * 3 + 2][1]) }));
    } catch {
      return null;
    }
  }

  private counterKey({ tried, address }: Guesser): string {
    // Hashed: the tried identity is whatever a client sent, of any length.
    const identity = createHash('sha256').update(tried).digest('hex').slice(0, 32);
    return `${this.limits.keyPrefix}:auth-failures:${identity}:${address}`;
  }

  private addressKey({ address }: Guesser): string {
    return `${this.limits.keyPrefix}:auth-failures-by-address:${address}`;
  }
}
