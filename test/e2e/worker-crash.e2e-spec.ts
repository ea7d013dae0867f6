import { createHash } from 'node:crypto';
import { ChildProcess } from 'node:child_process';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer, testEnvironment } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';
import { exited, spawnWorker } from '../support/worker-process.js';
import { waitUntil } from '../support/wait-until.js';

describe('a worker killed mid-build', () => {
  let deployer: TestDeployer;
  const workers: ChildProcess[] = [];
  const auth = authorization(USERS.alice);

  beforeAll(async () => {
    deployer = await startTestDeployer();
  });
  afterAll(async () => {
    for (const worker of workers) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
    await deployer?.close();
  });

  it('loses no build: the next worker finishes it and the result is reported once', async () => {
    // Same Redis prefix and users as the API, so the worker serves its queue.
    const env = testEnvironment({ REDIS_PREFIX: deployer.config.REDIS_PREFIX, USERS_FILE: deployer.config.USERS_FILE });
    const file = Buffer.from(`requests==2.32.3\n# extend: sleep 4\n# ${Date.now()}\n`);
    const tag = `python-${createHash('md5').update(file).digest('hex')}`;
    const answer = await call(deployer.url, 'POST', '/system/api/v1/build/start', {
      auth,
      json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, tag), kind: 'python', file: file.toString('base64') },
    });
    expect(answer.status).toBe(200);
    const id = String(answer.body.id);

    const first = spawnWorker(env);
    workers.push(first);
    await waitUntil('the build to run its extend step', async () => {
      const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth });
      return (logs.body.lines as string[] | undefined)?.some((line) => /extend: sleeping/.test(line)) ?? false;
    });
    first.kill('SIGKILL');
    await exited(first);
    expect((await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth })).body.state).toBe('running');

    const second = spawnWorker(env);
    workers.push(second);
    const status = await waitForBuild(deployer.url, auth, id, 120_000);
    expect(status.state).toBe('succeeded');
    expect(status.digest).toMatch(/^sha256:[a-f0-9]{64}$/);

    const log = (await deployer.redis.xrange(`${deployer.config.REDIS_PREFIX}:build:${id}:log`, '-', '+')) as [string, string[]][];
    const ends = log.filter(([, fields]) => fields[0] === 'end');
    expect(ends).toHaveLength(1);
    // The record ends a moment before BullMQ files the job as completed.
    let jobs = await deployer.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    for (let i = 0; jobs.completed === 0 && i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      jobs = await deployer.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    }
    expect(jobs.completed).toBe(1);
    expect(jobs.waiting + jobs.active + jobs.delayed + jobs.failed).toBe(0);
  });
});

describe('an API that died between storing a build and enqueuing it', () => {
  it('loses no build: a worker finds it and enqueues it', async () => {
    const api = await startTestDeployer();
    const auth = authorization(USERS.alice);
    let worker: TestDeployer | undefined;
    try {
      const file = Buffer.from(`urllib3\n# ${Date.now()}\n`);
      const answer = await call(api.url, 'POST', '/system/api/v1/build/start', {
        auth,
        json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, 'orphan'), kind: 'python', file: file.toString('base64') },
      });
      const id = String(answer.body.id);
      // What the API would have left had it died just before enqueuing: the record, no job. The job is removed once
      // the intake mover has put it in the queue, or the mover would put it back after the removal.
      await api.handedOver();
      await api.queue.remove(id);
      expect(await api.queue.getJob(id)).toBeUndefined();

      worker = await startTestDeployer({
        worker: true,
        env: {
          REDIS_PREFIX: api.config.REDIS_PREFIX,
          USERS_FILE: api.config.USERS_FILE,
          ORPHAN_CHECK_INTERVAL_MS: '1000',
          ORPHAN_MIN_AGE_MS: '0',
        },
      });
      const status = await waitForBuild(api.url, auth, id, 120_000);
      expect(status.state).toBe('succeeded');
    } finally {
      await worker?.close();
      await api.close();
    }
  });
});
