import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { InjectRedis, TranslateRedisFailures } from '#libs/redis';
import { LuaScript } from '../redis/lua-script.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { ACQUIRE_SCRIPT, NEXT_PARKED_SCRIPT, PARK_SCRIPT, RELEASE_SCRIPT } from './running-builds.scripts.js';

const ACQUIRE = new LuaScript(ACQUIRE_SCRIPT);
const PARK = new LuaScript(PARK_SCRIPT);
const RELEASE = new LuaScript(RELEASE_SCRIPT);
const NEXT_PARKED = new LuaScript(NEXT_PARKED_SCRIPT);

/** A build as the running cap sees it: whose it is, and the queue job that carries it. */
export interface CappedBuild {
  id: string;
  login: string;
  jobId: string;
}

/**
 * The slots of MAX_RUNNING_BUILDS_PER_USER, shared by every worker: a set of
 * the user's running builds, and the queue jobs parked until a slot frees.
 * With no cap (0) every call is a no-op and Redis is not asked.
 */
@Injectable()
@TranslateRedisFailures()
export class RunningBuildsRepository {
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;
  readonly cap: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.ttlSeconds = config.BUILD_RECORD_TTL_HOURS * 3600;
    this.cap = config.MAX_RUNNING_BUILDS_PER_USER;
  }

  /** Takes a running slot for the build; false when the user is at the cap. */
  async acquire(build: CappedBuild): Promise<boolean> {
    if (this.cap === 0) return true;
    const args = [build.id, String(this.cap), this.keys.buildPrefix(), String(this.ttlSeconds)];
    return (await ACQUIRE.run(this.redis, [this.keys.runningBuilds(build.login)], args)) === 1;
  }

  /** Records the build's job as parked; true when a slot freed meanwhile and it should wake now. */
  async park(build: CappedBuild, now = Date.now()): Promise<boolean> {
    const keys = [this.keys.runningBuilds(build.login), this.keys.parkedBuilds(build.login)];
    return (await PARK.run(this.redis, keys, [build.jobId, String(this.cap), String(now), String(this.ttlSeconds)])) === 1;
  }

  /** Frees the build's slot; returns the job id of the user's build parked longest, to wake. */
  async release(build: CappedBuild): Promise<string | null> {
    if (this.cap === 0) return null;
    const keys = [this.keys.runningBuilds(build.login), this.keys.parkedBuilds(build.login)];
    return ((await RELEASE.run(this.redis, keys, [build.id])) as string | null) ?? null;
  }

  /** The next parked job of the user, when the one a release picked could not be woken (cancelled meanwhile). */
  async nextParked(login: string): Promise<string | null> {
    return ((await NEXT_PARKED.run(this.redis, [this.keys.parkedBuilds(login)], [])) as string | null) ?? null;
  }
}
