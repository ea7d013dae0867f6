import { DependencyUnavailableError } from '#libs/errors';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { OpenWhiskCredentials } from './authorization-header.js';
import { CachingIdentityProvider } from './caching-identity.provider.js';
import { IdentityProvider } from './identity-provider.js';

const alice: AuthenticatedUser = { login: 'alice', subject: 'alice', env: {}, owner: 'alice' };
const good: OpenWhiskCredentials = { uuid: 'u-alice', key: 'k-alice' };
const wrong: OpenWhiskCredentials = { uuid: 'u-alice', key: 'nope' };

/** Answers from a script and counts calls; each call can be held until released. */
class FakeIdentityProvider extends IdentityProvider {
  calls = 0;
  failNext: Error | null = null;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override async authenticate({ uuid, key }: OpenWhiskCredentials): Promise<AuthenticatedUser | null> {
    this.calls += 1;
    await this.gate;
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    return uuid === good.uuid && key === good.key ? alice : null;
  }
}

class ManualClock {
  time = 1_000_000;
  readonly now = () => this.time;
}

function setup(options: { ttlMs?: number; negativeTtlMs?: number; maxEntries?: number } = {}) {
  const inner = new FakeIdentityProvider();
  const clock = new ManualClock();
  const provider = new CachingIdentityProvider(inner, { ...options, clock: clock.now });
  return { inner, clock, provider };
}

describe('CachingIdentityProvider', () => {
  it('answers from the cache within the TTL and asks again after it', async () => {
    const { inner, clock, provider } = setup({ ttlMs: 30_000 });
    expect(await provider.authenticate(good)).toBe(alice);
    clock.time += 29_999;
    expect(await provider.authenticate(good)).toBe(alice);
    expect(inner.calls).toBe(1);

    clock.time += 1;
    expect(await provider.authenticate(good)).toBe(alice);
    expect(inner.calls).toBe(2);
  });

  it('knows, without asking, only a key found valid within the TTL', async () => {
    const { inner, clock, provider } = setup({ ttlMs: 30_000 });
    expect(provider.known(good)).toBeUndefined();
    await provider.authenticate(good);
    await provider.authenticate(wrong);
    expect(provider.known(good)).toBe(alice);
    expect(provider.known(wrong)).toBeUndefined();
    clock.time += 30_000;
    expect(provider.known(good)).toBeUndefined();
    expect(inner.calls).toBe(2);
  });

  it('keeps different keys for the same uuid apart', async () => {
    const { provider } = setup();
    expect(await provider.authenticate(good)).toBe(alice);
    expect(await provider.authenticate(wrong)).toBeNull();
  });

  it('caches unknown credentials for the shorter negative TTL', async () => {
    const { inner, clock, provider } = setup({ ttlMs: 30_000, negativeTtlMs: 5_000 });
    expect(await provider.authenticate(wrong)).toBeNull();
    clock.time += 4_999;
    expect(await provider.authenticate(wrong)).toBeNull();
    expect(inner.calls).toBe(1);

    clock.time += 1;
    expect(await provider.authenticate(wrong)).toBeNull();
    expect(inner.calls).toBe(2);
  });

  it('shares one lookup between concurrent identical requests', async () => {
    const { inner, provider } = setup();
    inner.hold();
    const answers = Promise.all([provider.authenticate(good), provider.authenticate({ ...good })]);
    inner.release();
    expect(await answers).toEqual([alice, alice]);
    expect(inner.calls).toBe(1);
  });

  it('does not cache errors', async () => {
    const { inner, provider } = setup();
    inner.failNext = new DependencyUnavailableError('CouchDB is down', 'couchdb');
    await expect(provider.authenticate(good)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await provider.authenticate(good)).toBe(alice);
    expect(inner.calls).toBe(2);
  });

  it('gives every concurrent waiter the shared failure, then retries', async () => {
    const { inner, provider } = setup();
    inner.hold();
    inner.failNext = new DependencyUnavailableError('CouchDB is down', 'couchdb');
    const first = provider.authenticate(good);
    const second = provider.authenticate(good);
    inner.release();
    await expect(first).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(second).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await provider.authenticate(good)).toBe(alice);
    expect(inner.calls).toBe(2);
  });

  it('evicts the oldest entry when full', async () => {
    const { inner, provider } = setup({ maxEntries: 2 });
    await provider.authenticate(good);
    await provider.authenticate({ uuid: 'x', key: '1' });
    await provider.authenticate({ uuid: 'y', key: '2' });
    expect(inner.calls).toBe(3);

    await provider.authenticate({ uuid: 'y', key: '2' });
    expect(inner.calls).toBe(3);
    await provider.authenticate(good);
    expect(inner.calls).toBe(4);
  });

  it('does not cache when the TTL is 0', async () => {
    const { inner, provider } = setup({ ttlMs: 0 });
    await provider.authenticate(good);
    await provider.authenticate(good);
    expect(inner.calls).toBe(2);
  });
});
