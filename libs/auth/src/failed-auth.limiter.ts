import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '#libs/errors';

/** Returns a slot; a counter back at zero goes, so successful checks leave nothing in Redis. */
const GIVE_BACK = `if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end`;

export interface FailedAuthLimits {
  /** Checks that may fail per guesser and window (0: no limit). */
  readonly perWindow: number;
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
 * Limits failed credential checks per guesser across API replicas. Each check
 * reserves a slot first, with one atomic INCR whose answer is compared, so a
 * burst cannot slip more checks through than the limit; a check that
 * succeeds, or cannot run, gives its slot back, so a working key never uses
 * up the budget.
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
    const flight = this.reserveAndCheck(key, check).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, flight);
    return flight;
  }

  private async reserveAndCheck<T>(key: string, check: () => Promise<T | null>): Promise<T | null> {
    const reserved = await this.reserve(key);
    if (reserved && reserved.count > this.limits.perWindow) {
      throw new TooManyRequestsError(
        'Too many failed authentications for this key from this address; retry later.',
        reserved.ttl > 0 ? reserved.ttl : this.limits.windowSeconds,
      );
    }
    const giveBack = () =>
      reserved ? this.redis.eval(GIVE_BACK, 1, key).then(() => undefined, () => undefined) : undefined;
    let found: T | null;
    try {
      found = await check();
    } catch (error) {
      // A check that could not run (the store is down) is no failed guess.
      await giveBack();
      throw error;
    }
    if (found) await giveBack();
    return found;
  }

  private async reserve(key: string): Promise<{ count: number; ttl: number } | null> {
    try {
      const replies = await this.redis.multi().incr(key).expire(key, this.limits.windowSeconds, 'NX').ttl(key).exec();
      if (!replies || replies.some(([error]) => error)) return null;
      return { count: Number(replies[0][1]), ttl: Number(replies[2][1]) };
    } catch {
      return null;
    }
  }

  private counterKey({ tried, address }: Guesser): string {
    // Hashed: the tried identity is whatever a client sent, of any length.
    const identity = createHash('sha256').update(tried).digest('hex').slice(0, 32);
    return `${this.limits.keyPrefix}:auth-failures:${identity}:${address}`;
  }
}
