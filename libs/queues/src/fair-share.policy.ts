import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { RedisKeys } from '#libs/builds';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';

/** BullMQ's largest priority (2^21 - 1); 1 is served first. */
const LOWEST_PRIORITY = 2_097_151;

/**
 * Round robin across users through BullMQ priorities: a build is queued at
 * the rank it has among its user's builds in flight, so every user's first
 * build goes before anyone's second, and so on; within a rank, first come
 * first served. A first build gets no priority at all: BullMQ serves its
 * plain wait list before any prioritized job, so first builds stay in the
 * list that operators (and the autoscaler) watch. The rank is the size of
 * the user's active set, which the claim that stores a build returns; a build
 * enqueued without a claim (again, after a fault) costs one SCARD.
 */
@Injectable()
@TranslateRedisFailures()
export class FairSharePolicy {
  private readonly keys: RedisKeys;
  private readonly enabled: boolean;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.enabled = config.BUILD_FAIR_SHARES;
  }

  /** The BullMQ priority of the user's build being enqueued now; undefined (the plain FIFO wait list) for rank 1 or with fair shares off. */
  async priorityOf(login: string): Promise<number | undefined> {
    if (!this.enabled) return undefined;
    return this.priorityAt(await this.redis.scard(this.keys.activeBuilds(login)));
  }

  /** The priority of a build of rank `inFlight` among its user's builds in flight (the set holds it too: a user's only build has rank 1). */
  priorityAt(inFlight: number): number | undefined {
    if (!this.enabled) return undefined;
    return inFlight <= 1 ? undefined : Math.min(inFlight, LOWEST_PRIORITY);
  }
}
