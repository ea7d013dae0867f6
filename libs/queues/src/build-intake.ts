import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisKeys, fieldPairs } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';

const GROUP = 'movers';

/** A build in the intake: the stream entry that holds it, and what enqueuing it needs. */
export interface IntakeEntry {
  entryId: string;
  buildId: string;
  /** The user's builds in flight when it was stored, this one included: its fair-share rank. */
  inFlight: number;
}

type StreamEntries = [string, string[] | null][];

/**
 * Builds accepted and stored, on their way into the build queue. The claim
 * that stores a build appends it here in the same step, so the API answers
 * after one round trip and no build is stored without being handed on; the
 * workers' movers (a consumer group) take entries, add them to BullMQ under
 * the build's id and delete them. An entry a mover took but never finished
 * (it died) goes to another mover once it has been idle for a while.
 */
@Injectable()
@TranslateRedisFailures()
export class BuildIntake {
  private readonly key: string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: DeployerEnvironment,
  ) {
    this.key = new RedisKeys(config.REDIS_PREFIX).intake();
  }

  /** The movers' group, from the stream's first entry; a group that exists already is kept. */
  async join(via: Redis = this.redis): Promise<void> {
    try {
      await via.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('BUSYGROUP')) throw error;
    }
  }

  /**
   * A mover's connection of its own: take() blocks on it for up to `blockMs`,
   * longer than the shared connection's command timeout, and it queues
   * commands while it connects, so a mover starting with its process waits
   * for Redis instead of failing.
   */
  reader(blockMs: number): Redis {
    return this.redis.duplicate({
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      maxRetriesPerRequest: 1,
      commandTimeout: blockMs + this.config.REDIS_COMMAND_TIMEOUT_MS,
      connectionName: `${this.config.REDIS_PREFIX}:intake-mover`,
    });
  }

  /**
   * Up to `count` entries no mover has taken, waiting up to `blockMs` for one.
   * The group comes back when the stream went away (a Redis that restarted
   * empty, or keys deleted by hand).
   */
  async take(reader: Redis, consumer: string, count: number, blockMs: number): Promise<IntakeEntry[]> {
    try {
      const answer = (await reader.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
        | [string, StreamEntries][]
        | null;
      return answer ? entriesOf(answer[0][1]) : [];
    } catch (error) {
      if (!(error instanceof Error) || !/NOGROUP|no longer exists/.test(error.message)) throw error;
      await this.join(reader);
      return [];
    }
  }

  /**
   * Entries taken by a mover and left unfinished for `minIdleMs` (their mover
   * died, or failed to enqueue them), from `cursor` on; the next cursor is
   * '0-0' when the pass reached the end.
   */
  async reclaim(via: Redis, consumer: string, minIdleMs: number, count: number, cursor = '0-0'): Promise<{ next: string; entries: IntakeEntry[] }> {
    try {
      const [next, entries] = (await via.xautoclaim(this.key, GROUP, consumer, minIdleMs, cursor, 'COUNT', count)) as [string, StreamEntries];
      return { next, entries: entriesOf(entries) };
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOGROUP')) throw error;
      await this.join(via);
      return { next: '0-0', entries: [] };
    }
  }

  /** The entries are in the queue: out of the group and the stream, in one step. */
  async done(via: Redis, entryIds: string[]): Promise<void> {
    if (entryIds.length === 0) return;
    await via
      .multi()
      .xack(this.key, GROUP, ...entryIds)
      .xdel(this.key, ...entryIds)
      .exec();
  }

  /** Drops the mover from the group if it holds no entry (a consumer's unfinished entries would be lost with it). */
  async leave(consumer: string): Promise<void> {
    const [, , , consumers] = (await this.redis.xpending(this.key, GROUP)) as [number, string | null, string | null, [string, string][] | null];
    if ((consumers ?? []).some(([name]) => name === consumer)) return;
    await this.redis.xgroup('DELCONSUMER', this.key, GROUP, consumer);
  }

  /** Builds accepted and not yet in the queue. */
  async length(): Promise<number> {
    return this.redis.xlen(this.key);
  }
}

/** Entries deleted while pending come back without fields: nothing to enqueue. */
function entriesOf(entries: StreamEntries): IntakeEntry[] {
  return entries.map(([entryId, flat]) => {
    const fields = fieldPairs(flat ?? []);
    return { entryId, buildId: fields.id ?? '', inFlight: Number(fields.inFlight ?? 1) };
  });
}
