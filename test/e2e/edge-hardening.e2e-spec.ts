import { randomBytes } from 'node:crypto';
import { freeLoopbackPort } from '#libs/devenv';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('the HTTP edge against hostile requests', () => {
  let deployer: TestDeployer;
  beforeAll(async () => {
    deployer = await startTestDeployer({ env: { AUTH_FAILURES_PER_WINDOW: '0' } });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it.each([
    ['a deeply nested array', nested(100_000)],
    ['a deeply nested object', `{"source":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`],
    ['nesting inside a field beside valid ones', `{"source":"x","target":"y","kind":"python","file":${nested(5_000)}}`],
  ])('answers %s with 400 in the JSON error format, and stores nothing', async (_what, body) => {
    for (let i = 0; i < 3; i++) {
      const answer = await call(deployer.url, 'POST', START, { auth: authorization(USERS.alice), body });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ status: 'ko', message: 'Request body nests deeper than 32 levels' });
    }
    expect(await deployer.queue.count()).toBe(0);
  });

  it('reads brackets inside strings, escaped quotes and backslashes included, as text', async () => {
    const json = {
      source: 'openserverless/runtime-base:local',
      target: targetOf(USERS.alice, 'brackets'),
      kind: 'python',
      // Not a field of the request (dropped by validation), but parsed like the rest.
      note: `${'[{'.repeat(100)} \\" ${'[{'.repeat(100)} \\\\ ${'[{'.repeat(100)}`,
    };
    const answer = await call(deployer.url, 'POST', START, { auth: authorization(USERS.alice), json });
    expect(answer.status).toBe(200);
    const unbalanced = `{"source":"a","note":"\\\\"${'['.repeat(40)}`;
    const refused = await call(deployer.url, 'POST', START, { auth: authorization(USERS.alice), body: unbalanced });
    expect(refused.body).toEqual({ status: 'ko', message: 'Request body nests deeper than 32 levels' });
  });

  it('does not announce the framework with X-Powered-By', async () => {
    for (const path of ['/system/health/live', '/system/api/v1/build', '/system/nowhere']) {
      const response = await fetch(deployer.url + path);
      await response.arrayBuffer();
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  describe('while CouchDB cannot answer', () => {
    const prefix = `missing${randomBytes(4).toString('hex')}_`;

    it.each([
      ['its databases are missing', async () => ({ AUTH_PROVIDER: 'couchdb', COUCHDB_PREFIX: prefix })],
      ['nothing listens on its port', async () => ({ AUTH_PROVIDER: 'couchdb', COUCHDB_PREFIX: prefix, COUCHDB_SERVICE_PORT: String(await freeLoopbackPort()) })],
    ])('answers an unauthenticated caller 503 without naming internal databases when %s', async (_when, env) => {
      const cut = await startTestDeployer({ env: await env() });
      try {
        const answer = await call(cut.url, 'GET', '/system/api/v1/build', { auth: `${randomBytes(8).toString('hex')}:guess` });
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({ status: 'ko', message: 'The identity store (CouchDB) is unavailable; retry shortly.' });
        expect(answer.text).not.toContain(prefix);
        expect(answer.text).not.toMatch(/subjects|users_metadata|5984|127\.0\.0\.1/);
      } finally {
        await cut.close();
      }
    });
  });
});
