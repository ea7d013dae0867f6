import { JobType, Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RedisKeys } from '#libs/builds';
import { BUILD_QUEUE } from '#libs/queues';
import { BenchUser, createBenchUser } from './bench-user.js';

/**
 * The environment of one benchmark's API and worker processes: a user of its
 * own and a Redis prefix of its own, so the counts it checks are its alone.
 */
export class BenchDeployment {
  readonly user: BenchUser = createBenchUser();
  readonly prefix = `bench-${randomBytes(4).toString('hex')}`;
  readonly env: NodeJS.ProcessEnv;
  readonly queue: Queue;
  private readonly redis: Redis;
  private readonly intakeKey: string;

  constructor(base: NodeJS.ProcessEnv, overrides: Record<string, string> = {}) {
    this.env = {
      ...base,
      AUTH_PROVIDER: 'static',
      USERS_FILE: this.user.usersFile,
      REDIS_PREFIX: this.prefix,
      CLEANUP_SCHEDULE: 'false',
      // One user sends every build of a benchmark; the per-user caps would answer 429 or hold builds back.
      MAX_ACTIVE_BUILDS_PER_USER: '0',
      MAX_RUNNING_BUILDS_PER_USER: '0',
      ...overrides,
    };
    const connection = { host: this.env.REDIS_HOST ?? '127.0.0.1', port: Number(this.env.REDIS_PORT ?? 6379) };
    this.queue = new Queue(BUILD_QUEUE, { connection, prefix: this.prefix });
    this.redis = new Redis(connection);
    this.intakeKey = new RedisKeys(this.prefix).intake();
  }

  /**
   * Jobs in the build queue, whatever their state, and builds accepted on
   * their way into it (the build intake, which workers move into the queue).
   */
  async jobCount(states: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']): Promise<number> {
    const [counts, accepted] = await Promise.all([this.queue.getJobCounts(...states), this.redis.xlen(this.intakeKey)]);
    return Object.values(counts).reduce((a, b) => a + b, accepted);
  }

  /** True once a mover has joined the intake's group (its stream exists then). */
  async moverJoined(): Promise<boolean> {
    const groups = (await this.redis.xinfo('GROUPS', this.intakeKey).catch(() => [])) as unknown[];
    return groups.length > 0;
  }

  /** Waits until every build accepted so far is in the queue (the intake is empty); a mover must be running. */
  async handedOver(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.redis.xlen(this.intakeKey)) > 0) {
      if (Date.now() > deadline) throw new Error(`accepted builds still in the intake after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * CPU time the Redis server has used so far (user + system, every thread),
   * in seconds, from INFO: Redis is shared by everything a benchmark runs, so
   * this is its cost to the machine, not to one prefix.
   */
  async redisCpuSeconds(): Promise<number> {
    const info = await this.redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return field('used_cpu_user') + field('used_cpu_sys');
  }

  /** Build records in the user's index (every record the API stored for them, queued or not). */
  async recordCount(): Promise<number> {
    return this.redis.zcard(`${this.prefix}:user:${this.user.login.toLowerCase()}:builds`);
  }

  /** Removes the queue and every key under the prefix, and the users file. */
  async close(): Promise<void> {
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    this.redis.disconnect();
    rmSync(this.user.usersFile, { force: true });
  }
}
