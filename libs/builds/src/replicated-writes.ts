import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { DependencyUnavailableError } from '#libs/errors';
import { BUILD_QUEUE } from './build-queue.contract.js';

/**
 * Redis replicates asynchronously: a build the master acknowledged and then
 * lost in a failover was never stored as far as the new master knows. With
 * REDIS_WAIT_REPLICAS, an accepted build is confirmed by that many replicas
 * before the API says so.
 */
@Injectable()
export class ReplicatedWrites {
  private readonly replicas: number;
  /** Below the command timeout, so a missing replica is told apart from a dead connection. */
  private readonly timeoutMs: number;

  constructor(
    @InjectQueue(BUILD_QUEUE) private readonly queue: Queue,
    config: DeployerEnvironment,
  ) {
    this.replicas = config.REDIS_WAIT_REPLICAS;
    this.timeoutMs = Math.floor(config.REDIS_COMMAND_TIMEOUT_MS / 2);
  }

  /**
   * WAIT covers the writes of the connection it runs on, and replication keeps
   * their order: on the queue's connection, after the enqueue, it also covers
   * the record stored just before.
   */
  async confirmEnqueued(): Promise<void> {
    if (this.replicas === 0) return;
    // BullMQ's Redis backend runs on an ioredis client; its interface just does not list WAIT.
    const client = (await this.queue.getBackend().client) as unknown as Redis;
    const acknowledged = await client.wait(this.replicas, this.timeoutMs);
    if (acknowledged < this.replicas) {
      throw new DependencyUnavailableError(
        `The build service could not copy the build to ${this.replicas} Redis replica(s) in time; ` +
          'the build may have been accepted. Retry the same request: it joins that build instead of starting another.',
        'redis',
      );
    }
  }
}
