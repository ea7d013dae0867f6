import { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer, testEnvironment } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';
import { exited, spawnWorker } from '../support/worker-process.js';
import { waitUntil } from '../support/wait-until.js';

const auth = authorization(USERS.alice);

async function startBuild(deployer: TestDeployer, seconds: number): Promise<string> {
  const file = Buffer.from(`requests==2.32.3\n# extend: sleep ${seconds}\n# ${randomBytes(6).toString('hex')}\n`);
  const tag = `python-${createHash('md5').update(file).digest('hex')}`;
  const answer = await call(deployer.url, 'POST', '/system/api/v1/build/start', {
    auth,
    json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, tag), kind: 'python', file: file.toString('base64') },
  });
  expect(answer.status).toBe(200);
  return String(answer.body.id);
}

const logLines = async (deployer: TestDeployer, id: string) =>
  ((await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[] | undefined) ?? [];
const stateOf = async (deployer: TestDeployer, id: string) => (await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth })).body.state;

describe('a worker sent SIGTERM mid-build', () => {
  let deployer: TestDeployer;
  const workers: ChildProcess[] = [];

  beforeEach(async () => {
    deployer = await startTestDeployer();
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
    await deployer?.close();
  });

  const workerEnv = (overrides: Record<string, string>) =>
    testEnvironment({ REDIS_PREFIX: deployer.config.REDIS_PREFIX, USERS_FILE: deployer.config.USERS_FILE, BUILD_CONCURRENCY: '1', ...overrides });

  it('stops taking jobs, finishes its running build within the grace period and exits', async () => {
    const running = await startBuild(deployer, 3);
    const worker = spawnWorker(workerEnv({ SHUTDOWN_GRACE_SECONDS: '120' }));
    workers.push(worker);
    await waitUntil('the build to run its extend step', async () => (await logLines(deployer, running)).some((l) => /extend: sleeping/.test(l)));
    // Its one slot is busy: the worker could only take this one once the first ends, and it is stopping by then.
    const next = await startBuild(deployer, 0);
    worker.kill('SIGTERM');
    await exited(worker);

    expect(await stateOf(deployer, running)).toBe('succeeded');
    expect((await logLines(deployer, running)).some((l) => /goes to another worker/.test(l))).toBe(false);
    expect(await stateOf(deployer, next)).toBe('queued');
    // Her second build in flight: queued at rank 2 (prioritized), not taken.
    expect(await (await deployer.queue.getJob(next))?.getState()).toBe('prioritized');

    const successor = spawnWorker(workerEnv({}));
    workers.push(successor);
    expect((await waitForBuild(deployer.url, auth, next)).state).toBe('succeeded');
  });

  it('hands a build that outlasts the grace period back to the queue, and the next worker finishes it once', async () => {
    const id = await startBuild(deployer, 10);
    const worker = spawnWorker(workerEnv({ SHUTDOWN_GRACE_SECONDS: '1' }));
    workers.push(worker);
    await waitUntil('the build to run its extend step', async () => (await logLines(deployer, id)).some((l) => /extend: sleeping/.test(l)));
    worker.kill('SIGTERM');
    await exited(worker);

    // Not failed, not lost: back in the queue, no attempt spent.
    expect(await stateOf(deployer, id)).toBe('running');
    const job = await deployer.queue.getJob(id);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(await logLines(deployer, id)).toContain('the worker is shutting down: the build goes to another worker');

    const successor = spawnWorker(workerEnv({}));
    workers.push(successor);
    const status = await waitForBuild(deployer.url, auth, id);
    expect(status.state).toBe('succeeded');
    const log = (await deployer.redis.xrange(`${deployer.config.REDIS_PREFIX}:build:${id}:log`, '-', '+')) as [string, string[]][];
    expect(log.filter(([, fields]) => fields[0] === 'end')).toHaveLength(1);
  });
});
