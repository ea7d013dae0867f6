import { createHash } from 'node:crypto';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const REQUIREMENTS = 'requests==2.32.3\n';
const validBody = (overrides: Record<string, unknown> = {}) => ({
  source: 'openserverless/runtime-python:v3.12',
  target: targetOf(USERS.alice, `python-${md5(REQUIREMENTS)}`),
  kind: 'python',
  file: b64(REQUIREMENTS),
  ...overrides,
});

describe('build API contract', () => {
  let deployer: TestDeployer;
  const alice = authorization(USERS.alice);

  beforeAll(async () => {
    deployer = await startTestDeployer();
  });
  afterAll(async () => {
    await deployer?.close();
  });

  const queued = async () => {
    await deployer.handedOver();
    return Object.values(await deployer.queue.getJobCounts()).reduce((a, b) => a + b, 0);
  };

  describe('authorization', () => {
    it('refuses a request without the header', async () => {
      const answer = await call(deployer.url, 'POST', START, { json: validBody() });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ status: 'ko', message: 'Missing authorization header' });
    });

    it('refuses an unknown key', async () => {
      const stranger = { ...USERS.alice, key: 'not-the-key' };
      const answer = await call(deployer.url, 'POST', START, { auth: authorization(stranger), json: validBody() });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ status: 'ko', message: 'Invalid authorization' });
    });

    it.each(['basic', 'bare-base64', 'bare'] as const)('accepts the %s form', async (form) => {
      const answer = await call(deployer.url, 'POST', START, {
        auth: authorization(USERS.alice, form),
        json: validBody({ target: targetOf(USERS.alice, `auth-${form}`) }),
      });
      expect(answer.status).toBe(200);
    });
  });

  it('answers 200 with the job at the top level and under data', async () => {
    const answer = await call(deployer.url, 'POST', START, { auth: alice, json: validBody({ target: targetOf(USERS.alice, 'shape') }) });
    expect(answer.status).toBe(200);
    const { id, job_name: jobName } = answer.body as { id: string; job_name: string };
    expect(answer.body).toMatchObject({
      status: 'ok',
      message: `Build process initiated successfully. Job: ${jobName}`,
      state: 'queued',
      data: { id, job_name: jobName },
    });
    expect(jobName).toMatch(new RegExp(`^build-${USERS.alice.login}-[a-z0-9]+$`));
    await deployer.handedOver();
    expect(await deployer.queue.getJob(id)).toBeDefined();
  });

  describe('bad input changes nothing', () => {
    const big = 'x'.repeat(512 * 1024 + 1);
    const cases: [string, { json?: unknown; body?: string; contentType?: string; auth?: string }, number, RegExp][] = [
      ['missing source', { json: validBody({ source: undefined }) }, 400, /source is required/],
      ['missing target', { json: validBody({ target: undefined }) }, 400, /target is required/],
      ['missing kind', { json: validBody({ kind: undefined }) }, 400, /kind is required/],
      ['numeric source', { json: validBody({ source: 42 }) }, 400, /source must be a string/],
      ['unknown kind', { json: validBody({ kind: 'cobol' }) }, 400, /kind must be one of: go, java, nodejs/],
      ['non-boolean force', { json: validBody({ force: 'yes' }) }, 400, /force must be a boolean/],
      ['file not base64', { json: validBody({ file: 'not base64!' }) }, 400, /base64/],
      ['file not UTF-8', { json: validBody({ file: b64(Buffer.from([0xff, 0xfe, 0x00])) }) }, 400, /UTF-8/],
      ['file over 512 KiB', { json: validBody({ file: b64(big) }) }, 413, /larger than 524288/],
      ['broken package.json', { json: validBody({ kind: 'nodejs', target: targetOf(USERS.alice, 'n'), file: b64('{"a":') }) }, 400, /package\.json/],
      ['broken pom.xml', { json: validBody({ kind: 'java', target: targetOf(USERS.alice, 'j'), file: b64('<project><a></project>') }) }, 400, /pom\.xml/],
      ['malformed JSON body', { body: '{"source": ' }, 400, /not valid JSON/],
      ['wrong content type', { body: 'source=x', contentType: 'application/x-www-form-urlencoded' }, 415, /application\/json/],
      ['body over 1 MiB', { body: JSON.stringify({ file: 'A'.repeat(1_100_000) }) }, 413, /exceeds/],
      ['target of another user', { json: validBody({ target: targetOf(USERS.bob, 'python-1') }) }, 400, /^Invalid target for the build\.$/],
      ['target without tag', { json: validBody({ target: USERS.alice.login }) }, 400, /Invalid target/],
      ['shell in source', { json: validBody({ source: 'img;rm -rf /' }) }, 400, /source/],
      ['command substitution in source', { json: validBody({ source: 'img:$(id)' }) }, 400, /source/],
      ['newline in source', { json: validBody({ source: 'img\nRUN id' }) }, 400, /source/],
      ['shell in target', { json: validBody({ target: `${USERS.alice.login}:\`id\`` }) }, 400, /Invalid target/],
      ['path in target', { json: validBody({ target: targetOf(USERS.alice, '../../etc') }) }, 400, /Invalid target/],
      ['shell in kind', { json: validBody({ kind: 'python;ls' }) }, 400, /kind must be one of/],
      ['over-long source', { json: validBody({ source: `a/${'b'.repeat(300)}` }) }, 400, /source/],
      ['over-long tag', { json: validBody({ target: targetOf(USERS.alice, 't'.repeat(129)) }) }, 400, /Invalid target/],
      ['over-long user', { json: validBody({ target: `${'a'.repeat(300)}:t` }) }, 400, /target/],
    ];

    it.each(cases)('%s', async (_name, request, status, message) => {
      const keysBefore = (await deployer.keys()).sort();
      const jobsBefore = await queued();
      const answer = await call(deployer.url, 'POST', START, { auth: alice, ...request });
      expect(answer.status).toBe(status);
      expect(answer.body.status).toBe('ko');
      expect(String(answer.body.message)).toMatch(message);
      expect(await queued()).toBe(jobsBefore);
      expect((await deployer.keys()).sort()).toEqual(keysBefore);
    });
  });

  it('lets any target through when STRICT_USER_CHECK=false', async () => {
    const lax = await startTestDeployer({ env: { STRICT_USER_CHECK: 'false' } });
    try {
      const answer = await call(lax.url, 'POST', START, { auth: alice, json: validBody({ target: targetOf(USERS.bob, 'shared') }) });
      expect(answer.status).toBe(200);
      expect(answer.body.job_name).toMatch(new RegExp(`^build-${USERS.bob.login.toLowerCase()}-`));
    } finally {
      await lax.close();
    }
  });

  it('coalesces 200 concurrent identical requests onto one build', async () => {
    const body = validBody({ target: targetOf(USERS.alice, 'coalesced'), file: b64('numpy==2.1.0\n') });
    const before = await queued();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => call(deployer.url, 'POST', START, { auth: alice, json: body })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect(await queued()).toBe(before + 1);
    expect(answers.filter((a) => a.body.coalesced === false)).toHaveLength(1);

    const other = await call(deployer.url, 'POST', START, {
      auth: alice,
      json: { ...body, file: b64('numpy==2.1.1\n') },
    });
    expect(ids.has(other.body.id)).toBe(false);
  });

  describe('reading builds', () => {
    let id: string;
    beforeAll(async () => {
      id = String((await call(deployer.url, 'POST', START, { auth: alice, json: validBody({ target: targetOf(USERS.alice, 'readable') }) })).body.id);
    });

    it('carries the request id from the answer into the build record', async () => {
      const response = await fetch(`${deployer.url}${START}`, {
        method: 'POST',
        headers: { authorization: alice, 'content-type': 'application/json', 'x-request-id': 'trace-42.a_b' },
        body: JSON.stringify(validBody({ target: targetOf(USERS.alice, 'traced') })),
      });
      expect(response.headers.get('x-request-id')).toBe('trace-42.a_b');
      const { id } = (await response.json()) as { id: string };
      const status = await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth: alice });
      expect(status.body.request_id).toBe('trace-42.a_b');
      const odd = await fetch(`${deployer.url}/system/health/live`, { headers: { 'x-request-id': 'bad id; with <chars>' } });
      expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('shows the caller its build', async () => {
      const answer = await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth: alice });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'ok', id, state: 'queued', kind: 'python', target: targetOf(USERS.alice, 'readable') });
      expect(Date.parse(String(answer.body.created_at))).toBeGreaterThan(0);
    });

    it('lists the caller builds newest first', async () => {
      const answer = await call(deployer.url, 'GET', '/system/api/v1/build', { auth: alice });
      const builds = answer.body.builds as { id: string; created_at: string }[];
      expect(builds.map((b) => b.id)).toContain(id);
      const times = builds.map((b) => Date.parse(b.created_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it.each([
      ['another user', USERS.bob],
      ['a user whose login extends the owner login', USERS.aliceB],
    ])('hides the build from %s', async (_who, other) => {
      const auth = authorization(other);
      for (const path of [`/system/api/v1/build/${id}`, `/system/api/v1/build/${id}/logs`]) {
        const answer = await call(deployer.url, 'GET', path, { auth });
        expect(answer.status).toBe(404);
        expect(answer.body.status).toBe('ko');
      }
      const list = await call(deployer.url, 'GET', '/system/api/v1/build', { auth });
      expect((list.body.builds as { id: string }[]).map((b) => b.id)).not.toContain(id);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      for (const bad of ['zzzzzzzzzzzzzzzzzzzz', '..%2F..%2Fetc', 'A'.repeat(300)]) {
        const answer = await call(deployer.url, 'GET', `/system/api/v1/build/${bad}`, { auth: alice });
        expect(answer.status).toBe(404);
      }
    });

    it('returns the log of a queued build as an empty list', async () => {
      const answer = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth: alice });
      expect(answer.body).toEqual({ status: 'ok', id, state: 'queued', lines: [] });
    });
  });

  describe('cleanup', () => {
    const age = async (id: string, state: string, hoursAgo: number) => {
      const key = `${deployer.config.REDIS_PREFIX}:build:${id}`;
      await deployer.redis.hset(key, 'state', state, 'finishedAt', String(Date.now() - hoursAgo * 3_600_000));
    };
    const start = async (auth: string, target: string) =>
      String((await call(deployer.url, 'POST', START, { auth, json: validBody({ target }) })).body.id);

    it('deletes only the caller finished builds older than max_age_hours', async () => {
      const old1 = await start(alice, targetOf(USERS.alice, 'old-ok'));
      const old2 = await start(alice, targetOf(USERS.alice, 'old-ko'));
      const young = await start(alice, targetOf(USERS.alice, 'young'));
      const running = await start(alice, targetOf(USERS.alice, 'running'));
      const neighbour = await start(authorization(USERS.aliceB), targetOf(USERS.aliceB, 'old'));
      await age(old1, 'succeeded', 30);
      await age(old2, 'failed', 48);
      await age(young, 'succeeded', 1);
      await age(running, 'running', 100);
      await age(neighbour, 'failed', 100);

      const answer = await call(deployer.url, 'POST', '/system/api/v1/build/cleanup', { auth: alice, json: {} });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ok', message: 'Cleaned up 2 jobs successfully.', deleted: 2 });
      const exists = async (id: string, auth = alice) =>
        (await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth })).status === 200;
      expect(await exists(old1)).toBe(false);
      expect(await exists(old2)).toBe(false);
      expect(await exists(young)).toBe(true);
      expect(await exists(running)).toBe(true);
      expect(await exists(neighbour, authorization(USERS.aliceB))).toBe(true);

      const numeric = await call(deployer.url, 'POST', '/system/api/v1/build/cleanup', {
        auth: alice,
        json: { max_age_hours: '0' },
      });
      expect(numeric.body).toMatchObject({ deleted: 1 });
      expect(await exists(young)).toBe(false);
    });

    it.each([['x'], [-1], [1.5], [{}]])('refuses max_age_hours %p', async (value) => {
      const answer = await call(deployer.url, 'POST', '/system/api/v1/build/cleanup', {
        auth: alice,
        json: { max_age_hours: value },
      });
      expect(answer.status).toBe(400);
      expect(String(answer.body.message)).toMatch(/max_age_hours/);
    });
  });
});

describe('build API limits', () => {
  const START_PATH = '/system/api/v1/build/start';
  const body = (tag: string, source = 'ghcr.io/apache/openserverless-runtime-python:v3.12') => ({
    source,
    target: targetOf(USERS.alice, tag),
    kind: 'python',
  });

  it('refuses a source outside SOURCE_ALLOWLIST with 403 naming the rule, and enqueues nothing', async () => {
    const deployer = await startTestDeployer({ env: { SOURCE_ALLOWLIST: 'ghcr.io/apache/openserverless-runtime-*' } });
    try {
      const auth = authorization(USERS.alice);
      const refused = await call(deployer.url, 'POST', START_PATH, { auth, json: body('p1', 'docker.io/library/python:3.12') });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/SOURCE_ALLOWLIST admits only ghcr\.io\/apache\/openserverless-runtime-\*/);
      expect(await deployer.queue.count()).toBe(0);
      expect((await call(deployer.url, 'POST', START_PATH, { auth, json: body('p2') })).status).toBe(200);
    } finally {
      await deployer.close();
    }
  });

  it('caps the queued and running builds of a user with 429 and Retry-After; identical requests still join', async () => {
    const deployer = await startTestDeployer({ env: { MAX_ACTIVE_BUILDS_PER_USER: '2' } });
    try {
      const auth = authorization(USERS.alice);
      expect((await call(deployer.url, 'POST', START_PATH, { auth, json: body('c1') })).status).toBe(200);
      expect((await call(deployer.url, 'POST', START_PATH, { auth, json: body('c2') })).status).toBe(200);
      const response = await fetch(`${deployer.url}${START_PATH}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body('c3')),
      });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await response.json()) as { message: string }).message).toMatch(/2 builds queued or running/);
      expect((await call(deployer.url, 'POST', START_PATH, { auth, json: body('c1') })).body.coalesced).toBe(true);
      const other = authorization(USERS.bob);
      const bobs = await call(deployer.url, 'POST', START_PATH, { auth: other, json: { ...body('b1'), target: targetOf(USERS.bob, 'b1') } });
      expect(bobs.status).toBe(200);
      await deployer.handedOver();
      expect(await deployer.queue.count()).toBe(3);
    } finally {
      await deployer.close();
    }
  });

  it('answers 429 with Retry-After after too many failed authentications from one address', async () => {
    const deployer = await startTestDeployer({ env: { AUTH_FAILURES_PER_WINDOW: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' } });
    try {
      const wrong = authorization({ ...USERS.alice, key: 'wrong' });
      for (let i = 0; i < 3; i++) expect((await call(deployer.url, 'GET', '/system/api/v1/build', { auth: wrong })).status).toBe(401);
      const blocked = await fetch(`${deployer.url}/system/api/v1/build`, { headers: { authorization: wrong } });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await call(deployer.url, 'GET', '/system/health/live')).status).toBe(200);
    } finally {
      await deployer.close();
    }
  });
});
