import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { sentinelAddresses } from './sentinel-addresses.js';

/** Injection token of the shared command connection. */
export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/**
 * Where every connection goes (the shared one, its duplicates, BullMQ's):
 * REDIS_HOST/PORT, or the master the sentinels name. Behind sentinels, a
 * connection also listens for their switch-master and drops a server that
 * turned replica (READONLY) or lost its replicas (NOREPLICAS, with
 * min-replicas-to-write), so no client keeps writing to a demoted master.
 */
export function redisConnectionOptions(config: DeployerEnvironment) {
  const common = { password: config.REDIS_PASSWORD, db: config.REDIS_DB };
  if (!config.REDIS_SENTINELS) return { ...common, host: config.REDIS_HOST, port: config.REDIS_PORT };
  return {
    ...common,
    sentinels: sentinelAddresses(config.REDIS_SENTINELS),
    name: config.REDIS_SENTINEL_NAME,
    sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
    failoverDetector: true,
    reconnectOnError: (error: Error) => /^(READONLY|NOREPLICAS)/.test(error.message),
  };
}

/**
 * A request must not wait for Redis to come back: commands fail at once while
 * the connection is down (the caller answers 503) and the client reconnects
 * in the background.
 */
export function createRedis(config: DeployerEnvironment): Redis {
  const redis = new Redis({
    ...redisConnectionOptions(config),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    // Commands issued in the same tick go out in one write: far fewer syscalls under load.
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  const logger = new Logger('Redis');
  redis.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
  return redis;
}

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown() {
    this.redis.disconnect();
  }
}

@Global()
@Module({
  providers: [
    { provide: REDIS, useFactory: createRedis, inject: [DeployerEnvironment] },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
