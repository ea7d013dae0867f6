import { randomBytes } from 'node:crypto';
import { runDocker } from '#libs/devenv';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
/** A base whose install prints its dependency file and then fails, as a real install step may. */
const PRINTING_BASE = 'openserverless/runtime-base:prints-and-fails';
const docker = () => ({ dockerHost: String(process.env.DOCKER_HOST), dockerCli: String(process.env.DOCKER_CLI) });

describe('the local driver tells build failures from builder faults', () => {
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);

  beforeAll(async () => {
    const dockerfile = [
      `FROM ${process.env.BASE_IMAGE}`,
      `RUN printf '%s\\n' '#!/bin/sh' 'cat /tmp/requirements.txt' 'exit 3' > /bin/extend`,
    ].join('\n');
    const network = process.env.DOCKER_BUILD_NETWORK ? ['--network', process.env.DOCKER_BUILD_NETWORK] : [];
    const built = await runDocker(docker(), ['build', ...network, '--tag', PRINTING_BASE, '-'], Buffer.from(dockerfile));
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
    expect(status).toMatchObject({ state: 'failed', reason: 'BuildFailed' });

    const lines = (await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[];
    expect(lines.some((line) => line.includes(DAEMON_DOWN))).toBe(true);
    expect(lines.filter((line) => /^--- attempt \d+ ---$/.test(line) || /interrupted by a fault/.test(line))).toEqual([]);
  });
});
