import { hash } from 'node:crypto';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { OpenWhiskCredentials } from './authorization-header.js';
import { IdentityProvider } from './identity-provider.js';

/** Milliseconds since some fixed origin; injected so tests can move time. */
export type Clock = () => number;

export interface IdentityCacheOptions {
  /** Lifetime of a successful lookup; 0 disables caching (lookups are still shared). */
  readonly ttlMs?: number;
  /** Lifetime of an "unknown credentials" answer; never longer than ttlMs. */
  readonly negativeTtlMs?: number;
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

export const DEFAULT_IDENTITY_CACHE_TTL_MS = 30_000;
const DEFAULT_NEGATIVE_TTL_MS = 5_000;
const DEFAULT_MAX_ENTRIES = 10_000;

const cacheKeyOf = ({ uuid, key }: OpenWhiskCredentials) => hash('sha256', `${uuid}:${key}`, 'base64');

interface CacheEntry {
  readonly user: AuthenticatedUser | null;
  readonly expiresAt: number;
}

/**
 * Remembers answers briefly so each request does not cost two CouchDB queries.
 * Keys are sha256 digests of `uuid:key`, so no secret sits in the map in clear.
 * Failures are never remembered: the next request asks again.
 */
export class CachingIdentityProvider extends IdentityProvider {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<AuthenticatedUser | null>>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;

  constructor(
    private readonly inner: IdentityProvider,
    options: IdentityCacheOptions = {},
  ) {
    super();
    this.ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_IDENTITY_CACHE_TTL_MS);
    this.negativeTtlMs = Math.min(this.ttlMs, Math.max(0, options.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS));
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.clock = options.clock ?? Date.now;
  }

  override known(credentials: OpenWhiskCredentials): AuthenticatedUser | undefined {
    const cached = this.entries.get(cacheKeyOf(credentials));
    return cached?.user && cached.expiresAt > this.clock() ? cached.user : undefined;
  }

  override authenticate(credentials: OpenWhiskCredentials): Promise<AuthenticatedUser | null> {
    const cacheKey = cacheKeyOf(credentials);

    const cached = this.entries.get(cacheKey);
    if (cached && cached.expiresAt > this.clock()) return Promise.resolve(cached.user);
    if (cached) this.entries.delete(cacheKey);

    const pending = this.inFlight.get(cacheKey);
    if (pending) return pending;

    const lookup = this.inner
      .authenticate(credentials)
      .then((user) => {
        this.remember(cacheKey, user);
        return user;
      })
      .finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, lookup);
    return lookup;
  }

  private remember(cacheKey: string, user: AuthenticatedUser | null): void {
    const ttl = user ? this.ttlMs : this.negativeTtlMs;
    if (ttl === 0) return;
    // Map keeps insertion order, so the first key is the oldest entry.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(cacheKey, { user, expiresAt: this.clock() + ttl });
  }
}
