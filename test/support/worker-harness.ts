import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BuildRecord, BuildRecordsRepository } from '#libs/builds';
import { DeployerEnvironment, loadConfig } from '#libs/config';
import { BuildDriver } from '#libs/drivers';
import { REDIS } from '#libs/redis';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { queuedBuildRecord } from './build-record.fixture.js';
import { ScriptedBuildDriver } from './scripted-build-driver.js';

/**
 * The worker application against the real Redis of the test setup, under a
 * Redis prefix of its own, with a scripted driver. `init` runs its lifecycle
 * (the worker host starts consuming); without it, its parts are used alone.
 */
export interface WorkerHarness {
  config: DeployerEnvironment;
  app: INestApplicationContext;
  driver: ScriptedBuildDriver;
  redis: Redis;
  records: BuildRecordsRepository;
  /** Claims a new queued build of `login` (as the API does), not enqueued. */
  queuedBuild(login?: string, overrides?: Partial<BuildRecord>): Promise<BuildRecord>;
  /** Shuts the application down as SIGTERM would; its keys stay, for `redis` to look at. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkerHarness(env: Record<string, string> = {}, options: { init?: boolean } = {}): Promise<WorkerHarness> {
  const prefix = `spec-${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    REDIS_PREFIX: prefix,
    READ_BASE_IMAGE_CONFIG: 'false',
    CLEANUP_SCHEDULE: 'false',
    WORKER_LOCK_MS: '5000',
    WORKER_STALLED_INTERVAL_MS: '2000',
    ...env,
  });
  const driver = new ScriptedBuildDriver();
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] })
    .overrideProvider(BuildDriver)
    .useValue(driver)
    .compile();
  moduleRef.enableShutdownHooks();
  // The shared connection refuses commands until it is up (no offline queue).
  const shared = moduleRef.get<Redis>(REDIS);
  if (shared.status !== 'ready') await new Promise((resolve) => shared.once('ready', resolve));
  const app = options.init ? await moduleRef.init() : moduleRef;
  const redis = new Redis({ host: config.REDIS_HOST, port: config.REDIS_PORT });
  const records = app.get(BuildRecordsRepository);
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= moduleRef.close());
  return {
    config,
    app,
    driver,
    redis,
    records,
    async queuedBuild(login = 'alice', overrides = {}) {
      const record = queuedBuildRecord(login, overrides);
      const claimed = await records.claim(record, null);
      if (claimed.outcome !== 'created') throw new Error(`claim: ${claimed.outcome}`);
      return record;
    },
    stop,
    async close() {
      await stop();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
