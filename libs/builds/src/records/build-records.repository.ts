import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import type { FailureReason } from '#libs/errors';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';
import { BuildRecord } from './build-record.js';
import { decodeRecord, encodeRecord } from './build-record.codec.js';
import { CLAIM_SCRIPT, FINISH_SCRIPT, SAVE_EXISTING_SCRIPT, START_SCRIPT } from './build-records.scripts.js';
import { fieldPairs } from '../redis/field-pairs.js';
import { LuaScript } from '../redis/lua-script.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { isFinished } from './build-state.js';

const CLAIM = new LuaScript(CLAIM_SCRIPT);
const START = new LuaScript(START_SCRIPT);
const FINISH = new LuaScript(FINISH_SCRIPT);
const SAVE_EXISTING = new LuaScript(SAVE_EXISTING_SCRIPT);

export type ClaimResult =
  /** `inFlight`: the user's builds in the active set, this one included (what fair shares rank it by). */
  | { outcome: 'created'; id: string; inFlight: number }
  | { outcome: 'joined'; id: string }
  /** The user already has `active` builds queued or running: the cap. */
  | { outcome: 'limited'; active: number };

/** What a claim that stores the build also does with it. */
export interface ClaimHandover {
  /** Hand the build to the build intake, which workers move into the queue. */
  intake?: boolean;
  /** Registry credentials to keep beside the build until it finishes. */
  credentials?: string;
}

export interface BuildOutcome {
  state: 'succeeded' | 'failed';
  reason?: FailureReason;
  message?: string;
  digest?: string;
  logTail?: string[];
}

/** Build records, their dependency files and the per-user index, in Redis. */
@Injectable()
@TranslateRedisFailures()
export class BuildRecordsRepository {
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;
  private readonly cap: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.ttlSeconds = config.BUILD_RECORD_TTL_HOURS * 3600;
    this.cap = config.MAX_ACTIVE_BUILDS_PER_USER;
  }

  /**
   * Stores a new queued build unless an identical one is queued or running
   * (joined) or the user is at the cap of builds in flight (limited). With
   * `intake`, the stored build is in the build intake in the same step (the
   * workers move it into the queue: nothing else to enqueue), and so are its
   * `credentials` (REGISTRY_SECRET), so no worker can see the one without
   * the other. The dependency file goes as the bytes it is given; as text
   * (UTF-8), the command is sent as a string, without the buffer ioredis
   * assembles for a command with any Buffer argument.
   */
  async claim(record: BuildRecord, file: string | Buffer | null, handover: ClaimHandover = {}): Promise<ClaimResult> {
    const args = [
      this.keys.buildPrefix(),
      record.id,
      String(this.ttlSeconds),
      String(record.createdAt),
      file ?? '',
      file ? '1' : '0',
      String(this.cap),
      encodeRecord(record),
      handover.intake ? '1' : '',
      handover.credentials ?? '',
    ];
    const keys = [
      this.keys.claim(record.claim),
      this.keys.build(record.id),
      this.keys.userBuilds(record.login),
      this.keys.file(record.id),
      this.keys.activeBuilds(record.login),
      this.keys.intake(),
      this.keys.credentials(record.id),
    ];
    const [outcome, value, inFlight] = (await CLAIM.run(this.redis, keys, args)) as [string, string, number?];
    if (outcome === 'limited') return { outcome, active: Number(value) };
    return outcome === 'created' ? { outcome, id: value, inFlight: Number(inFlight) } : { outcome: 'joined', id: value };
  }

  /**
   * Stores a build that needs no work (its image already exists), unless an
   * identical request got that answer in the last minute: then that record is
   * the answer, and a burst of identical requests stores one record.
   */
  async saveExisting(record: BuildRecord): Promise<BuildRecord> {
    const answer = (await SAVE_EXISTING.run(
      this.redis,
      [this.keys.existing(record.claim), this.keys.build(record.id), this.keys.userBuilds(record.login)],
      [this.keys.buildPrefix(), record.id, String(this.ttlSeconds), String(record.createdAt), record.digest, encodeRecord(record)],
    )) as string | string[];
    if (typeof answer === 'string') return record;
    return decodeRecord(fieldPairs(answer)) ?? record;
  }

  async get(id: string): Promise<BuildRecord | null> {
    if (!/^[a-z0-9]{1,64}$/.test(id)) return null;
    return decodeRecord(await this.redis.hgetall(this.keys.build(id)));
  }

  async state(id: string): Promise<string | null> {
    return this.redis.hget(this.keys.build(id), 'state');
  }

  async getFile(id: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.file(id));
  }

  /** Newest first. Drops index entries whose record has expired. */
  async listForUser(login: string, limit = 100, offset = 0): Promise<BuildRecord[]> {
    const index = this.keys.userBuilds(login);
    const ids = await this.redis.zrevrange(index, offset, offset + limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.build(id));
    const results = (await pipeline.exec()) ?? [];
    const records: BuildRecord[] = [];
    const expired: string[] = [];
    results.forEach(([, hash], i) => {
      const record = decodeRecord((hash ?? {}) as Record<string, string>);
      if (record) records.push(record);
      else expired.push(ids[i]);
    });
    if (expired.length > 0) await this.redis.zrem(index, ...expired);
    return records;
  }

  /** Marks the build running; false when it has already finished (e.g. cancelled). */
  async markRunning(id: string, now = Date.now()): Promise<boolean> {
    return (await START.run(this.redis, [this.keys.build(id)], [String(now)])) === 1;
  }

  /** Records the outcome and ends the build's log; true only for the first report of a build. */
  async finish(record: BuildRecord, outcome: BuildOutcome, now = Date.now()): Promise<boolean> {
    return (await this.finishAndRead(record, outcome, now)) !== null;
  }

  /**
   * Records the outcome, ends the build's log with it and drops the dependency
   * file and the credentials, in one step; the finished record for the first
   * report of a build, null for any later one.
   */
  async finishAndRead(record: BuildRecord, outcome: BuildOutcome, now = Date.now()): Promise<BuildRecord | null> {
    const result = (await FINISH.run(
      this.redis,
      [
        this.keys.build(record.id),
        this.keys.claim(record.claim),
        this.keys.activeBuilds(record.login),
        this.keys.file(record.id),
        this.keys.credentials(record.id),
        this.keys.log(record.id),
      ],
      [
        outcome.state,
        String(now),
        outcome.reason ?? '',
        outcome.message ?? '',
        outcome.digest ?? '',
        JSON.stringify(outcome.logTail ?? []),
        record.id,
        String(this.ttlSeconds),
      ],
    )) as number | string[];
    return Array.isArray(result) ? decodeRecord(fieldPairs(result)) : null;
  }

  /**
   * Keeps the user's registry credentials (REGISTRY_SECRET) beside the build,
   * never in its record or queue payload, until the build finishes.
   */
  async saveCredentials(id: string, secret: string): Promise<void> {
    await this.redis.set(this.keys.credentials(id), secret, 'EX', this.ttlSeconds);
  }

  async getCredentials(id: string): Promise<string | null> {
    return this.redis.get(this.keys.credentials(id));
  }

  /** Ids of builds still queued that were created before `cutoff`, from every user's set of builds in flight. */
  async *queuedBefore(cutoff: number): AsyncGenerator<string> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keys.allActiveBuilds(), 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        for (const id of await this.redis.smembers(key)) {
          const [state, createdAt] = await this.redis.hmget(this.keys.build(id), 'state', 'createdAt');
          if (state === 'queued' && Number(createdAt) < cutoff) yield id;
        }
      }
    } while (cursor !== '0');
  }

  /** Logins that have builds, scanning the per-user indexes a page at a time. */
  async *logins(): AsyncGenerator<string> {
    const pattern = this.keys.userBuilds('*');
    const [head, tail] = pattern.split('*');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const key of keys) yield key.slice(head.length, key.length - tail.length);
    } while (cursor !== '0');
  }

  /** Deletes the user's finished builds that ended before `cutoff`; returns how many. */
  async deleteFinishedBefore(login: string, cutoff: number): Promise<number> {
    const records = await this.listForUser(login, 100_000);
    const old = records.filter((r) => isFinished(r.state) && r.finishedAt < cutoff);
    if (old.length === 0) return 0;
    const multi = this.redis.multi();
    for (const r of old) {
      multi.del(this.keys.build(r.id), this.keys.file(r.id), this.keys.log(r.id), this.keys.credentials(r.id));
      multi.zrem(this.keys.userBuilds(login), r.id);
    }
    await multi.exec();
    return old.length;
  }
}
