import { randomBytes } from 'node:crypto';
import { call } from '../support/http-client.js';
import { pushTinyImage } from '../support/registry-uploader.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const repositoryOf = (login: string) => login.toLowerCase();

describe('a source naming another tenant or the builder host', () => {
  const host = String(process.env.REGISTRY_HOST);
  const port = host.split(':')[1];
  const secretTag = `secret-${randomBytes(3).toString('hex')}`;
  const alice = repositoryOf(USERS.alice.login);
  let deployer: TestDeployer;

  beforeAll(async () => {
    await pushTinyImage(host, alice, secretTag, { owner: 'alice' });
    // SOURCE_ALLOWLIST admits everything: the tenant rules apply on top of it.
    deployer = await startTestDeployer({ env: { SOURCE_ALLOWLIST: '*', MAX_ACTIVE_BUILDS_PER_USER: '0' } });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  const start = (source: string, user = USERS.bob, tag = `stolen-${randomBytes(3).toString('hex')}`) =>
    call(deployer.url, 'POST', START, { auth: authorization(user), json: { source, target: targetOf(user, tag), kind: 'python' } });

  it("refuses Bob a copy of Alice's private image, and enqueues nothing", async () => {
    const answer = await start(`${host}/${alice}:${secretTag}`);
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/your own repository/);
    expect(await deployer.queue.count()).toBe(0);
  });

  it('answers an existing and a missing image of another tenant alike', async () => {
    const existing = await start(`${host}/${alice}:${secretTag}`);
    const missing = await start(`${host}/${alice}:no-such-tag`);
    expect([existing.status, missing.status]).toEqual([403, 403]);
    expect(String(existing.body.message).replace(secretTag, 'TAG')).toBe(String(missing.body.message).replace('no-such-tag', 'TAG'));
  });

  it.each([
    ['another spelling of the registry', `localhost:${port}/${alice}:${secretTag}`],
    ['the IPv6 loopback', `[::1]:${port}/${alice}:${secretTag}`],
    ['a nested path under another tenant', `${host}/${alice}/deeper:${secretTag}`],
    ['a repository that only starts like the caller', `${host}/${repositoryOf(USERS.bob.login)}x:${secretTag}`],
    ['a Redis port on loopback', '127.0.0.1:6379/probe:x'],
    ['another loopback address', '127.0.0.2:80/probe:x'],
    ['the cloud metadata address', '169.254.169.254/latest:x'],
  ])('refuses %s with 403', async (_what, source) => {
    const answer = await start(source);
    expect(answer.status).toBe(403);
    expect(answer.body.status).toBe('ko');
    expect(await deployer.queue.count()).toBe(0);
  });

  it("lets Alice extend her own image on the deployer's registry", async () => {
    const answer = await start(`${host}/${alice}:${secretTag}`, USERS.alice, 'mine');
    expect(answer.status).toBe(200);
  });

  it('keeps SOURCE_ALLOWLIST in force', async () => {
    const strict = await startTestDeployer({ env: { SOURCE_ALLOWLIST: 'openserverless/*' } });
    try {
      const outside = await call(strict.url, 'POST', START, {
        auth: authorization(USERS.alice),
        json: { source: `${host}/${alice}:${secretTag}`, target: targetOf(USERS.alice, 'own'), kind: 'python' },
      });
      expect(outside.status).toBe(403);
      expect(outside.body.message).toMatch(/SOURCE_ALLOWLIST/);
    } finally {
      await strict.close();
    }
  });
});
