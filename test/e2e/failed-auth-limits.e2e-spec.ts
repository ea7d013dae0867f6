import { randomBytes } from 'node:crypto';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, USERS, authorization } from '../support/test-users.js';

const LIST = '/system/api/v1/build';
const LIMIT = 5;
const limited = { AUTH_FAILURES_PER_WINDOW: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: '60' };
const wrongKeyOf = (u: TestUser) => authorization({ ...u, key: randomBytes(12).toString('hex') });
const stranger = (): TestUser => ({ ...USERS.alice, uuid: randomBytes(16).toString('hex') });

const get = async (url: string, auth: string, headers: Record<string, string> = {}) =>
  (await fetch(`${url}${LIST}`, { headers: { authorization: auth, ...headers } })).status;

describe('failed-authentication limit', () => {
  describe('whatever the case of the path', () => {
    let deployer: TestDeployer;
    beforeAll(async () => {
      deployer = await startTestDeployer({ env: { AUTH_FAILURES_PER_WINDOW: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' } });
    });
    afterAll(async () => {
      await deployer?.close();
    });

    it('counts bad keys sent to /System/api and /SYSTEM/API/... and locks every spelling', async () => {
      const wrong = authorization({ ...USERS.alice, key: 'wrong' });
      const spellings = ['/System/api/v1/build', '/SYSTEM/API/V1/BUILD', '/system/API/v1/Build'];
      for (const path of spellings) expect((await call(deployer.url, 'GET', path, { auth: wrong })).status).toBe(401);
      for (const path of [...spellings, LIST]) expect((await call(deployer.url, 'GET', path, { auth: wrong })).status).toBe(429);
    });
  });

  describe('keyed by the uuid tried and the client address', () => {
    let deployer: TestDeployer;
    beforeAll(async () => {
      deployer = await startTestDeployer({ env: limited });
    });
    afterAll(async () => {
      await deployer?.close();
    });

    it('does not lock out another user behind the same address', async () => {
      const guessed = stranger();
      const answers = [];
      for (let i = 0; i < 35; i++) answers.push(await get(deployer.url, wrongKeyOf(guessed)));
      expect(answers.filter((s) => s === 401)).toHaveLength(LIMIT);
      expect(answers.filter((s) => s === 429)).toHaveLength(35 - LIMIT);
      // aliceB has never authenticated to this deployer: nothing in memory lets it through.
      expect(await get(deployer.url, authorization(USERS.aliceB))).toBe(200);
    });

    it('never locks out a key that authenticates while its uuid is being guessed', async () => {
      expect(await get(deployer.url, authorization(USERS.bob))).toBe(200);
      const answers = [];
      for (let i = 0; i < 35; i++) answers.push(await get(deployer.url, wrongKeyOf(USERS.bob)));
      expect(answers.filter((s) => s === 401)).toHaveLength(LIMIT);
      expect(await get(deployer.url, authorization(USERS.bob))).toBe(200);
      expect(await get(deployer.url, wrongKeyOf(USERS.bob))).toBe(429);
    });

    it('lets no more checks through than the limit in a burst of 300 concurrent bad keys', async () => {
      const guessed = stranger();
      const answers = await Promise.all(Array.from({ length: 300 }, () => get(deployer.url, wrongKeyOf(guessed))));
      expect(answers.filter((s) => s === 401)).toHaveLength(LIMIT);
      expect(answers.filter((s) => s === 429)).toHaveLength(300 - LIMIT);
    });

    it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
      const guessed = stranger();
      const answers = [];
      for (let i = 0; i < LIMIT + 3; i++) {
        answers.push(await get(deployer.url, wrongKeyOf(guessed), { 'x-forwarded-for': `198.51.100.${i + 1}` }));
      }
      expect(answers.slice(LIMIT)).toEqual([429, 429, 429]);
    });
  });

  describe('per address, whatever uuids it tries', () => {
    const CEILING = 12;
    let deployer: TestDeployer;
    beforeAll(async () => {
      deployer = await startTestDeployer({ env: { ...limited, AUTH_FAILURES_PER_ADDRESS: String(CEILING), TRUSTED_PROXIES: 'loopback' } });
    });
    afterAll(async () => {
      await deployer?.close();
    });

    it('checks no more than the ceiling when every request tries a new uuid, concurrently too', async () => {
      const sprayer = { 'x-forwarded-for': '203.0.113.50' };
      expect(await get(deployer.url, authorization(USERS.bob), sprayer)).toBe(200);
      const answers = await Promise.all(Array.from({ length: 80 }, () => get(deployer.url, wrongKeyOf(stranger()), sprayer)));
      expect(answers.filter((s) => s === 401)).toHaveLength(CEILING);
      expect(answers.filter((s) => s === 429)).toHaveLength(80 - CEILING);
      // A key found valid moments ago still passes from that address; another address is not affected.
      expect(await get(deployer.url, authorization(USERS.bob), sprayer)).toBe(200);
      expect(await get(deployer.url, wrongKeyOf(stranger()), { 'x-forwarded-for': '198.51.100.60' })).toBe(401);
      expect(await get(deployer.url, authorization(USERS.aliceB), { 'x-forwarded-for': '198.51.100.60' })).toBe(200);
    });

    it('does not count keys that authenticate against the ceiling', async () => {
      const worker = { 'x-forwarded-for': '203.0.113.51' };
      for (let i = 0; i < CEILING + 5; i++) expect(await get(deployer.url, authorization(USERS.alice), worker)).toBe(200);
      const answers = [];
      for (let i = 0; i < CEILING; i++) answers.push(await get(deployer.url, wrongKeyOf(stranger()), worker));
      expect(answers).toEqual(Array.from({ length: CEILING }, () => 401));
    });
  });

  describe('behind a trusted proxy', () => {
    let deployer: TestDeployer;
    beforeAll(async () => {
      deployer = await startTestDeployer({ env: { ...limited, TRUSTED_PROXIES: 'loopback' } });
    });
    afterAll(async () => {
      await deployer?.close();
    });

    it('keys the limit by the forwarded client, so the guesser alone is locked', async () => {
      const guesser = { 'x-forwarded-for': '203.0.113.7' };
      const answers = [];
      for (let i = 0; i < LIMIT + 2; i++) answers.push(await get(deployer.url, wrongKeyOf(USERS.aliceB), guesser));
      expect(answers.slice(LIMIT)).toEqual([429, 429]);
      // The owner of the guessed uuid, never seen before, from its own address behind the same ingress.
      expect(await get(deployer.url, authorization(USERS.aliceB), { 'x-forwarded-for': '198.51.100.20' })).toBe(200);
      expect(await get(deployer.url, wrongKeyOf(USERS.aliceB), guesser)).toBe(429);
    });
  });

  describe('queue dashboard login', () => {
    let deployer: TestDeployer;
    const token = randomBytes(16).toString('hex');
    beforeAll(async () => {
      deployer = await startTestDeployer({ env: { ...limited, ADMIN_TOKEN: token } });
    });
    afterAll(async () => {
      await deployer?.close();
    });

    const login = async (password: string) =>
      (
        await fetch(`${deployer.url}/system/queues/`, {
          headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
        })
      ).status;

    it('answers 429 after the limit of wrong tokens, and checks none of the rest', async () => {
      const answers = [];
      for (let i = 0; i < 40; i++) answers.push(await login(randomBytes(16).toString('hex')));
      expect(answers.filter((s) => s === 401)).toHaveLength(LIMIT);
      expect(answers.filter((s) => s === 429)).toHaveLength(40 - LIMIT);
    });
  });
});
