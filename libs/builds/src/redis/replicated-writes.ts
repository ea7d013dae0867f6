import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError } from '#libs/errors';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';
import { RedisKeys } from './redis-keys.js';

/**
 * Redis replicates asynchronously: a build the master acknowledged and then
 * lost in a failover was never stored as far as the new master knows. With
 * REDIS_WAIT_REPLICAS, an accepted build is confirmed by that many replicas
 * before the API says so.
 *
 * WAIT covers only the writes of its own connection, so each round writes a
 * fence and waits for it: replication keeps the master's order, so a fence
 * that reached the replicas carries every write made before it, on any
 * connection (the record, the queue job, or a build joined from another API).
 * WAIT holds its connection, so requests arriving meanwhile share the next
 * round instead of queuing one WAIT each.
 */
@Injectable()
@TranslateRedisFailures()
export class ReplicatedWrites implements OnApplicationShutdown {
  private readonly replicas: number;
  /** Below the command timeout, so a missing replica is told apart from a dead connection. */
  private readonly waitMs: number;
  private readonly fenceKey: string;
  private connection?: Redis;
  private running?: Promise<void>;
  private next?: Promise<void>;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.replicas = config.REDIS_WAIT_REPLICAS;
    this.waitMs = Math.floor(config.REDIS_COMMAND_TIMEOUT_MS / 2);
    this.fenceKey = new RedisKeys(config.REDIS_PREFIX).replicationFence();
  }

  /** Resolves once every write made so far is on REDIS_WAIT_REPLICAS replicas; throws 503 otherwise. */
  async confirm(): Promise<void> {
    if (this.replicas === 0) return;
    if (!this.running) return this.startRound();
    // The round in flight may have fenced before this caller's writes: take the one after it.
    this.next ??= this.running.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.startRound();
    });
    return this.next;
  }

  async onApplicationShutdown() {
    this.connection?.disconnect();
  }

  private startRound(): Promise<void> {
    const round = this.round().finally(() => {
      if (this.running === round) this.running = undefined;
    });
    this.running = round;
    return round;
  }

  private async round(): Promise<void> {
    // Its commands may wait for a reconnect: the command timeout still bounds them.
    if (!this.connection) {
      this.connection = this.redis.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false, connectionName: `${this.fenceKey}:waiter` });
      // A lost connection fails the round in progress, which answers 503; the shared connection already logs outages.
      this.connection.on('error', () => undefined);
    }
    await this.connection.incr(this.fenceKey);
    const acknowledged = await this.connection.wait(this.replicas, this.waitMs);
    if (acknowledged < this.replicas) {
      throw new DependencyUnavailableError(
        `The build service could not copy the build to ${this.replicas} Redis replica(s) in time; ` +
          'the build may have been accepted. Retry the same request: it joins that build instead of starting another.',
        'redis',
      );
    }
  }
}
