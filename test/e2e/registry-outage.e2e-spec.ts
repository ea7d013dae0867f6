import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRegistry, freeLoopbackPort, stopRegistry } from '#libs/devenv';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

describe('the registry being down', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'deployer-registry-outage-'));
  let port: number;
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);

  beforeAll(async () => {
    port = await freeLoopbackPort();
    await ensureRegistry({ port, stateDir });
    deployer = await startTestDeployer({ worker: true, env: { REGISTRY_HOST: `127.0.0.1:${port}`, BUILD_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await deployer?.close();
    await stopRegistry(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('fails the build with a clear reason; once it is back, the same request builds', async () => {
    const body = {
      source: process.env.BASE_IMAGE,
      target: targetOf(USERS.alice, 'registry-outage'),
      kind: 'python',
      file: Buffer.from(`idna\n# ${randomBytes(4).toString('hex')}\n`).toString('base64'),
    };
    await stopRegistry(stateDir);
    const first = await call(deployer.url, 'POST', '/system/api/v1/build/start', { auth, json: body });
    expect(first.status).toBe(200);
    const failed = await waitForBuild(deployer.url, auth, String(first.body.id), 120_000);
    expect(failed).toMatchObject({ state: 'failed', reason: 'PushFailed' });
    expect(String(failed.message)).toMatch(new RegExp(`pushing 127\\.0\\.0\\.1:${port}/.* failed`));

    await ensureRegistry({ port, stateDir });
    const retry = await call(deployer.url, 'POST', '/system/api/v1/build/start', { auth, json: body });
    expect(retry.body.id).not.toBe(first.body.id);
    const succeeded = await waitForBuild(deployer.url, auth, String(retry.body.id), 120_000);
    expect(succeeded.state).toBe('succeeded');
    expect(succeeded.digest).toMatch(/^sha256:/);
  });
});
