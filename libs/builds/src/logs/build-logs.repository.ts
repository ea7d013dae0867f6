import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { InjectRedis, TranslateRedisFailures, endConnection } from '#libs/redis';
import { fieldPairs } from '../redis/field-pairs.js';
import { RedisKeys } from '../redis/redis-keys.js';

/**
 * Kept per build: its last MAX_LINES lines of at most MAX_LINE_CHARS each
 * (about 250 KB), so one chatty build cannot fill Redis for the others.
 */
export const MAX_LINES = 500;
export const MAX_LINE_CHARS = 500;
const BLOCK_MS = 2_000;
/** A follower keeps retrying Redis this long before it gives up. */
const FOLLOW_GIVE_UP_MS = 60_000;
const FOLLOW_RETRY_BASE_MS = 100;
const FOLLOW_RETRY_MAX_MS = 2_000;

export type LogEntry = { kind: 'line'; line: string } | { kind: 'end'; state: string };

type StreamEntry = [id: string, fields: string[]];

/** Keeps a line's start, where the message is, and says how much went. */
const shortened = (line: string) =>
  line.length <= MAX_LINE_CHARS ? line : `${line.slice(0, MAX_LINE_CHARS)} … [${line.length - MAX_LINE_CHARS} characters cut]`;

const toEntry = ([, fields]: StreamEntry): LogEntry => {
  const map = fieldPairs(fields);
  return map.end ? { kind: 'end', state: map.end } : { kind: 'line', line: map.line ?? '' };
};

/** A build's log as a Redis Stream, so any API replica can follow it live. */
@Injectable()
@TranslateRedisFailures()
export class BuildLogsRepository {
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;
  private readonly prefix: string;
  private readonly commandTimeoutMs: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.ttlSeconds = config.BUILD_RECORD_TTL_HOURS * 3600;
    this.prefix = config.REDIS_PREFIX;
    this.commandTimeoutMs = config.REDIS_COMMAND_TIMEOUT_MS;
  }

  async append(buildId: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const key = this.keys.log(buildId);
    const pipeline = this.redis.pipeline();
    // Trimmed exactly from the start: the end of a log is what explains a failure.
    for (const line of lines) pipeline.xadd(key, 'MAXLEN', '=', MAX_LINES, '*', 'line', shortened(line));
    pipeline.expire(key, this.ttlSeconds);
    await pipeline.exec();
  }

  /** Clears the log of an earlier attempt before a build is run again. */
  async reset(buildId: string): Promise<void> {
    await this.redis.del(this.keys.log(buildId));
  }

  /**
   * The lines kept from line `from` (0: the start); from the start, after a
   * first line saying how many earlier ones were cut, if any.
   */
  async lines(buildId: string, from = 0): Promise<string[]> {
    const key = this.keys.log(buildId);
    const [entries, info] = await Promise.all([
      this.redis.xrange(key, '-', '+') as Promise<StreamEntry[]>,
      this.redis.xinfo('STREAM', key).catch(() => null) as Promise<unknown[] | null>,
    ]);
    const parsed = entries.map(toEntry);
    const lines = parsed.flatMap((e) => (e.kind === 'line' ? [e.line] : [])).slice(from);
    if (from > 0) return lines;
    const added = info ? Number(info[info.indexOf('entries-added') + 1]) : 0;
    // Redis 7 counts every entry ever added (`entries-added`); older servers do not say, and nothing is announced.
    const cut = added - parsed.length;
    return cut > 0 ? [`[… ${cut} earlier lines cut: a build keeps its last ${MAX_LINES}]`, ...lines] : lines;
  }

  async tail(buildId: string, count: number): Promise<string[]> {
    const entries = (await this.redis.xrevrange(this.keys.log(buildId), '+', '-', 'COUNT', count + 1)) as StreamEntry[];
    return entries
      .map(toEntry)
      .flatMap((e) => (e.kind === 'line' ? [e.line] : []))
      .slice(0, count)
      .reverse();
  }

  /**
   * Yields the log from line `from` (0: the start) and then as it grows, until
   * its end marker, until `isOver()` says the build finished and nothing more
   * came, or until `signal` aborts. However long the build stays silent, the
   * follow lasts. A lost connection or an unanswered read is retried with
   * backoff from the last entry seen, so a Redis reconnect repeats no line and
   * loses none; only Redis failing for FOLLOW_GIVE_UP_MS on end throws.
   */
  async *follow(
    buildId: string,
    isOver: () => Promise<boolean>,
    signal: AbortSignal,
    from = 0,
  ): AsyncGenerator<LogEntry> {
    const key = this.keys.log(buildId);
    const reader = this.followerConnection();
    // Its failures reach the read below, which retries; the event itself needs no report.
    reader.on('error', () => undefined);
    const close = () => endConnection(reader);
    signal.addEventListener('abort', close, { once: true });
    let last = '0';
    let toSkip = from;
    let finished = false;
    let failingSince = 0;
    let failures = 0;
    try {
      while (!signal.aborted) {
        let entries: StreamEntry[];
        try {
          // Once the build is over, one read without BLOCK takes what came just before its end.
          const reply = (await (finished
            ? reader.xread('COUNT', 500, 'STREAMS', key, last)
            : reader.xread('COUNT', 500, 'BLOCK', BLOCK_MS, 'STREAMS', key, last))) as [string, StreamEntry[]][] | null;
          entries = reply?.[0]?.[1] ?? [];
          if (entries.length === 0 && finished) return;
          if (entries.length === 0) finished = await isOver();
          failingSince = 0;
          failures = 0;
        } catch (error) {
          if (signal.aborted) return;
          failingSince ||= Date.now();
          if (Date.now() - failingSince > FOLLOW_GIVE_UP_MS) throw error;
          await abortableDelay(Math.min(FOLLOW_RETRY_BASE_MS * 2 ** failures++, FOLLOW_RETRY_MAX_MS), signal);
          continue;
        }
        for (const entry of entries) {
          last = entry[0];
          const parsed = toEntry(entry);
          if (parsed.kind === 'line' && toSkip > 0) {
            toSkip -= 1;
            continue;
          }
          yield parsed;
          if (parsed.kind === 'end') return;
        }
      }
    } finally {
      signal.removeEventListener('abort', close);
      close();
    }
  }

  /**
   * XREAD BLOCK holds a connection of its own. Its reads may take BLOCK_MS by
   * design, so the shared command timeout (shorter or equal) would cut every
   * quiet follow; the reader waits that long plus the command timeout, which
   * still notices a Redis that stopped answering.
   */
  private followerConnection(): Redis {
    return this.redis.duplicate({
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      maxRetriesPerRequest: 1,
      commandTimeout: BLOCK_MS + this.commandTimeoutMs,
      connectionName: `${this.prefix}:log-follower`,
    });
  }
}

const abortableDelay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
