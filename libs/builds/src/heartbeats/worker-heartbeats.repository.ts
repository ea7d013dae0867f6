import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { DeployerEnvironment } from '#libs/config';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';
import { RedisKeys } from '../redis/redis-keys.js';

const TTL_SECONDS = 45;

/** Workers say, every few seconds, that their driver is ready; the API reads who is there. */
@Injectable()
@TranslateRedisFailures()
export class WorkerHeartbeatsRepository {
  private readonly keys: RedisKeys;
  private readonly self = `${hostname()}-${process.pid}`;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.keys = new RedisKeys(config.REDIS_PREFIX);
  }

  async beat(driver: string): Promise<void> {
    await this.redis.set(this.keys.workerHeartbeat(this.self), driver, 'EX', TTL_SECONDS);
  }

  async stop(): Promise<void> {
    await this.redis.del(this.keys.workerHeartbeat(this.self));
  }

  /** Drivers of the workers that beat recently, one entry per worker. */
  async drivers(): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keys.workerHeartbeats(), 'COUNT', 200);
      cursor = next;
      if (keys.length > 0) found.push(...((await this.redis.mget(...keys)).filter(Boolean) as string[]));
    } while (cursor !== '0');
    return found;
  }
}
