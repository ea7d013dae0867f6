import { randomBytes } from 'node:crypto';
import { freeLoopbackPort } from '#libs/devenv';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { authorization, TestUser } from '../support/test-users.js';

const START = '/system/api/v1/build/start';

/** The CouchDB-compatible server of the global setup, seeded with OpenWhisk-shaped documents. */
const couchUrl = () => `http://${process.env.COUCHDB_SERVICE_HOST}:${process.env.COUCHDB_SERVICE_PORT}`;
const couchAuth = () =>
  `Basic ${Buffer.from(`${process.env.COUCHDB_ADMIN_USER}:${process.env.COUCHDB_ADMIN_PASSWORD}`).toString('base64')}`;

async function couch(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(couchUrl() + path, {
    method,
    headers: { authorization: couchAuth(), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404) throw new Error(`CouchDB ${method} ${path}: ${response.status}`);
}

describe('authentication through OpenWhisk subjects in CouchDB', () => {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  const login = `carol${randomBytes(3).toString('hex')}`;
  const carol: TestUser = { uuid: randomBytes(16).toString('hex'), key: randomBytes(32).toString('hex'), login, env: {} };
  let deployer: TestDeployer;

  beforeAll(async () => {
    await couch('PUT', `/${prefix}subjects`);
    await couch('PUT', `/${prefix}users_metadata`);
    await couch('POST', `/${prefix}subjects`, {
      subject: login,
      namespaces: [{ name: login, uuid: carol.uuid, key: carol.key }],
    });
    await couch('POST', `/${prefix}users_metadata`, {
      login,
      env: [{ key: 'REGISTRY_HOST', value: 'wrong.example:5000' }],
      userenv: [{ key: 'REGISTRY_HOST', value: '127.0.0.1:5001' }],
    });
    deployer = await startTestDeployer({
      env: { AUTH_PROVIDER: 'couchdb', COUCHDB_PREFIX: prefix, REGISTRY_HOST: '' },
    });
  });

  afterAll(async () => {
    await deployer?.close();
    await couch('DELETE', `/${prefix}subjects`);
    await couch('DELETE', `/${prefix}users_metadata`);
  });

  const body = { source: 'openserverless/runtime-base:local', target: `${login}:couch-1`, kind: 'python' };

  it('admits a key found in the subjects and pushes to the user registry (userenv wins)', async () => {
    for (const form of ['basic', 'bare-base64', 'bare'] as const) {
      const answer = await call(deployer.url, 'POST', START, { auth: authorization(carol, form), json: body });
      expect(answer.status).toBe(200);
      expect(answer.body.image).toBe(`127.0.0.1:5001/${login}:couch-1`);
    }
  });

  it('refuses a wrong key and an unknown uuid with 401', async () => {
    for (const stranger of [{ ...carol, key: `${carol.key}x` }, { ...carol, uuid: randomBytes(16).toString('hex') }]) {
      const answer = await call(deployer.url, 'POST', START, { auth: authorization(stranger), json: body });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ status: 'ko', message: 'Invalid authorization' });
    }
  });

  it('answers 503, not 401 or 500, while CouchDB is unreachable, and enqueues nothing', async () => {
    const closed = await freeLoopbackPort();
    const cut = await startTestDeployer({ env: { AUTH_PROVIDER: 'couchdb', COUCHDB_SERVICE_PORT: String(closed) } });
    try {
      const answer = await call(cut.url, 'POST', START, { auth: authorization(carol), json: body });
      expect(answer.status).toBe(503);
      expect(answer.body.status).toBe('ko');
      expect(String(answer.body.message)).toMatch(/CouchDB|unavailable|unreachable/i);
      // BullMQ writes each queue's meta key on connect, and the intake mover its (empty) stream; nothing else may exist.
      expect((await cut.keys()).filter((key) => !key.endsWith(':meta') && !key.endsWith(':build-intake'))).toEqual([]);
      expect(await cut.redis.xlen(`${cut.config.REDIS_PREFIX}:build-intake`)).toBe(0);
      expect(await cut.queue.count()).toBe(0);
    } finally {
      await cut.close();
    }
  });
});
