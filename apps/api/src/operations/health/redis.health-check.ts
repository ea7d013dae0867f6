import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { InjectRedis } from '#libs/redis';
import { HealthCheck } from './health-check.js';

/**
 * PING on the shared connection. Its offline queue is disabled, so while the
 * connection is down the command fails at once instead of waiting for it.
 */
@Injectable()
export class RedisHealthCheck implements HealthCheck {
  readonly name = 'redis';

  constructor(@InjectRedis() private readonly redis: Redis) {}

  async check(): Promise<void> {
    const answer = await this.redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected answer to PING: ${answer}`);
  }
}
