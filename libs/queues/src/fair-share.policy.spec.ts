import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '#libs/config';
import { RedisKeys } from '#libs/builds';
import { FairSharePolicy } from './fair-share.policy.js';

/** Against the Redis of the test setup, under a prefix of its own. */
describe('FairSharePolicy', () => {
  const prefix = `spec-${randomBytes(5).toString('hex')}`;
  const redis = new Redis({ host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) });
  const policy = (fair: boolean) => new FairSharePolicy(redis, loadConfig({ ...process.env, REDIS_PREFIX: prefix, BUILD_FAIR_SHARES: String(fair) }));

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("ranks a build by its user's builds in flight: the first in the plain wait list, the rest by rank, capped at BullMQ's lowest priority", () => {
    const fair = policy(true);
    expect(fair.priorityAt(1)).toBeUndefined();
    expect(fair.priorityAt(2)).toBe(2);
    expect(fair.priorityAt(7)).toBe(7);
    expect(fair.priorityAt(5_000_000)).toBe(2_097_151);
    expect(policy(false).priorityAt(7)).toBeUndefined();
  });

  it('counts the same rank from the active set when no claim gave it', async () => {
    const fair = policy(true);
    const active = new RedisKeys(prefix).activeBuilds('alice');
    await redis.sadd(active, 'a');
    expect(await fair.priorityOf('alice')).toBeUndefined();
    await redis.sadd(active, 'b', 'c');
    expect(await fair.priorityOf('alice')).toBe(fair.priorityAt(3));
    expect(await fair.priorityOf('alice')).toBe(3);
  });
});
