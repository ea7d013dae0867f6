import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { runDocker } from '#libs/devenv';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { processes } from '../support/process-table.js';
import { startTestDeployer, TestDeployer, testEnvironment } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';
import { exited, spawnWorker } from '../support/worker-process.js';
import { waitUntil } from '../support/wait-until.js';
import { testEngine } from '../support/test-engine.js';

const START = '/system/api/v1/build/start';
const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
/** A base whose install prints its dependency file and then fails, as a real install step may. */
const PRINTING_BASE = 'openserverless/runtime-base:prints-and-fails';

describe('the local driver tells build failures from builder faults', () => {
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);

  beforeAll(async () => {
    const dockerfile = [
      `FROM ${process.env.BASE_IMAGE}`,
      'USER root',
      `RUN printf '%s\\n' '#!/bin/sh' 'cat /tmp/requirements.txt' 'exit 3' > /bin/extend`,
      'USER nobody',
    ].join('\n');
    const network = process.env.DOCKER_BUILD_NETWORK ? ['--network', process.env.DOCKER_BUILD_NETWORK] : [];
    const built = await runDocker(testEngine(), ['build', ...network, '--tag', PRINTING_BASE, '-'], Buffer.from(dockerfile));
    if (built.code !== 0) throw new Error(`could not build ${PRINTING_BASE}: ${built.stderr}`);
    deployer = await startTestDeployer({ worker: true });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it('a build that prints "Cannot connect to the Docker daemon" and fails ends failed with its own reason after one attempt', async () => {
    const file = Buffer.from(`${DAEMON_DOWN}\n# ${randomBytes(4).toString('hex')}\n`);
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: PRINTING_BASE, target: targetOf(USERS.alice, 'fake-fault'), kind: 'python', file: file.toString('base64') },
    });
    expect(answer.status).toBe(200);
    const id = String(answer.body.id);
    const status = await waitForBuild(deployer.url, auth, id);
    expect(status).toMatchObject({ state: 'failed', reason: 'InstallFailed', message: '/bin/extend exited with status 3' });

    const lines = (await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[];
    expect(lines.some((line) => line.includes(DAEMON_DOWN))).toBe(true);
    expect(lines.filter((line) => /^--- attempt \d+ ---$/.test(line) || /interrupted by a fault/.test(line))).toEqual([]);
  });
});

describe('a local build whose worker is killed', () => {
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

  it('dies with its worker (kill -9), so the build runs once, on the worker that takes over', async () => {
    const env = testEnvironment({ REDIS_PREFIX: deployer.config.REDIS_PREFIX, USERS_FILE: deployer.config.USERS_FILE });
    // An odd pause, so its sleep is told apart from other builds on the machine.
    const file = Buffer.from(`orphan-check==1.0\n# extend: sleep 29\n# ${randomBytes(4).toString('hex')}\n`);
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, 'dies-with-worker'), kind: 'python', file: file.toString('base64') },
    });
    const id = String(answer.body.id);
    const dockerOfBuild = () => processes().filter((p) => p.argv.some((arg) => arg.includes(id)));
    const extendSleep = () => processes().filter((p) => p.argv.join(' ') === 'sleep 29');

    const first = spawnWorker(env);
    workers.push(first);
    await waitUntil('the build to run its extend step', async () => {
      const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth });
      return (logs.body.lines as string[] | undefined)?.some((line) => /extend: sleeping 29 s/.test(line)) ?? false;
    });
    expect(dockerOfBuild().length).toBeGreaterThan(0);
    expect(extendSleep().length).toBeGreaterThan(0);

    first.kill('SIGKILL');
    await exited(first);
    // Well before the 29 s step could end by itself.
    await waitUntil('the build to stop', () => dockerOfBuild().length === 0 && extendSleep().length === 0, 15_000).catch(
      () => undefined,
    );
    expect(dockerOfBuild().map((p) => p.argv.join(' '))).toEqual([]);
    expect(extendSleep().map((p) => p.pid)).toEqual([]);

    const second = spawnWorker(env);
    workers.push(second);
    const status = await waitForBuild(deployer.url, auth, id, 150_000);
    expect(status.state).toBe('succeeded');
    const log = (await deployer.redis.xrange(`${deployer.config.REDIS_PREFIX}:build:${id}:log`, '-', '+')) as [string, string[]][];
    expect(log.filter(([, fields]) => fields[0] === 'end')).toHaveLength(1);
  });
});
