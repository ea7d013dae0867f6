import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CleanupQueue, CLEANUP_QUEUE } from '#libs/queues';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Queue } from 'bullmq';
import { CleanupScheduler } from '../../apps/worker/src/maintenance/cleanup.scheduler.js';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const dockerHasImage = (image: string) => {
  try {
    execFileSync(String(process.env.DOCKER_CLI), ['image', 'inspect', image], {
      env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST },
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
};

describe('cleanup on the local driver', () => {
  let deployer: TestDeployer;
  const auth = authorization(USERS.bob);

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true, env: { CLEANUP_SCHEDULE: 'false' } });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it('two schedulers firing in the same window enqueue one cleanup', async () => {
    // On a deployer without workers: these windows lie in the future, and
    // running them would clean what other suites are building right now.
    const idle = await startTestDeployer({ env: { CLEANUP_SCHEDULE: 'false' } });
    const queued = new Queue(CLEANUP_QUEUE, {
      connection: { host: idle.config.REDIS_HOST, port: idle.config.REDIS_PORT },
      prefix: idle.config.REDIS_PREFIX,
    });
    try {
      const scheduler = new CleanupScheduler(idle.config, idle.api.get(CleanupQueue), new SchedulerRegistry());
      const first = await scheduler.fire(new Date('2030-01-01T10:00:07Z'));
      const second = await scheduler.fire(new Date('2030-01-01T10:00:41Z'));
      expect(first).toBe('scheduled-20300101T1000');
      expect(second).toBe(first);
      expect(await queued.getJobCounts('waiting')).toEqual({ waiting: 1 });
      const other = await scheduler.fire(new Date('2030-01-01T11:00:02Z'));
      expect(other).not.toBe(first);
      expect(await queued.getJobCounts('waiting')).toEqual({ waiting: 2 });
    } finally {
      await queued.close();
      await idle.close();
    }
  });

  it("removes the user's finished builds, their records and local images, never running ones", async () => {
    const file = Buffer.from(`attrs==24.2.0\n# ${randomBytes(4).toString('hex')}\n`);
    const started = await call(deployer.url, 'POST', '/system/api/v1/build/start', {
      auth,
      json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.bob, 'to-clean'), kind: 'python', file: file.toString('base64') },
    });
    const built = await waitForBuild(deployer.url, auth, String(started.body.id));
    expect(built.state).toBe('succeeded');
    const image = String(built.image);
    expect(dockerHasImage(image)).toBe(true);

    const running = await call(deployer.url, 'POST', '/system/api/v1/build/start', {
      auth,
      json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.bob, 'still-running'), kind: 'python' },
    });
    const runningId = String(running.body.id);
    await waitForBuild(deployer.url, auth, runningId);
    await deployer.redis.hset(`${deployer.config.REDIS_PREFIX}:build:${runningId}`, 'state', 'running');

    const cleanup = deployer.worker!.get(CleanupQueue);
    const result = await cleanup.runAndWait({ olderThan: Date.now() + 60_000, login: USERS.bob.login.toLowerCase() }, 60_000);
    expect(result.error).toBeUndefined();
    expect(result.recordsDeleted).toBe(1);
    expect(result.jobsDeleted).toBeGreaterThanOrEqual(1);
    expect(dockerHasImage(image)).toBe(false);
    expect((await call(deployer.url, 'GET', `/system/api/v1/build/${String(built.id)}`, { auth })).status).toBe(404);
    expect((await call(deployer.url, 'GET', `/system/api/v1/build/${runningId}`, { auth })).status).toBe(200);
  });
});
