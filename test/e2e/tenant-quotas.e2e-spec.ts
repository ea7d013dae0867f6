import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { BuildLogsRepository, MAX_LINE_CHARS, MAX_LINES } from '#libs/builds';
import { CLEANUP_QUEUE } from '#libs/queues';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, USERS, authorization, targetOf } from '../support/test-users.js';

const BUILD = '/system/api/v1/build';

describe("one tenant cannot exhaust the others' storage and connections", () => {
  let deployer: TestDeployer;
  const start = async (user: TestUser, tag: string) => {
    const answer = await call(deployer.url, 'POST', `${BUILD}/start`, {
      auth: authorization(user),
      json: { source: 'openserverless/runtime-base:local', target: targetOf(user, tag), kind: 'python', force: true },
    });
    expect(answer.status).toBe(200);
    return String(answer.body.id);
  };

  beforeAll(async () => {
    deployer = await startTestDeployer({
      env: { MAX_ACTIVE_BUILDS_PER_USER: '0', AUTH_FAILURES_PER_WINDOW: '0', LOG_FOLLOWERS_PER_USER: '2', LOG_FOLLOWERS_PER_PROCESS: '3' },
    });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  describe('a noisy build log', () => {
    it('keeps the last lines, each shortened, and says what was cut', async () => {
      const id = await start(USERS.alice, `noisy-${randomBytes(3).toString('hex')}`);
      const logs = deployer.api.get(BuildLogsRepository);
      const long = 'x'.repeat(20_000);
      for (let batch = 0; batch < 20; batch++) {
        await logs.append(id, Array.from({ length: 100 }, (_, i) => `line ${batch * 100 + i} ${long}`));
      }
      const key = `${deployer.config.REDIS_PREFIX}:build:${id}:log`;
      expect(await deployer.redis.xlen(key)).toBe(MAX_LINES);
      const bytes = Number(await deployer.redis.call('MEMORY', 'USAGE', key));
      expect(bytes).toBeLessThan(MAX_LINES * (MAX_LINE_CHARS + 200));

      const answer = await call(deployer.url, 'GET', `${BUILD}/${id}/logs`, { auth: authorization(USERS.alice) });
      const lines = answer.body.lines as string[];
      expect(lines[0]).toBe(`[… ${2_000 - MAX_LINES} earlier lines cut: a build keeps its last ${MAX_LINES}]`);
      expect(lines).toHaveLength(MAX_LINES + 1);
      expect(lines.at(-1)).toMatch(/^line 1999 x+ … \[\d+ characters cut\]$/);
      expect(lines.at(-1)!.length).toBeLessThan(MAX_LINE_CHARS + 40);
    });
  });

  describe('GET /build', () => {
    it('answers a page at a time, with the offset of the next page', async () => {
      const user = USERS.aliceB;
      const ids = [];
      for (let i = 0; i < 25; i++) ids.push(await start(user, `page-${i}-${randomBytes(2).toString('hex')}`));
      const first = await call(deployer.url, 'GET', BUILD, { auth: authorization(user) });
      expect(first.status).toBe(200);
      expect(first.body.builds).toHaveLength(20);
      expect(first.body.next_offset).toBe(20);
      const second = await call(deployer.url, 'GET', `${BUILD}?offset=20&limit=20`, { auth: authorization(user) });
      expect(second.body.builds).toHaveLength(5);
      expect(second.body).not.toHaveProperty('next_offset');
      const seen = [...(first.body.builds as { id: string }[]), ...(second.body.builds as { id: string }[])].map((b) => b.id);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen.slice(0, 3)).toEqual([...ids].reverse().slice(0, 3));
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'offset=1.5'])('refuses ?%s with 400', async (query) => {
      const answer = await call(deployer.url, 'GET', `${BUILD}?${query}`, { auth: authorization(USERS.alice) });
      expect(answer.status).toBe(400);
      expect(answer.body.status).toBe('ko');
    });
  });

  describe('log followers', () => {
    const streams: AbortController[] = [];
    afterAll(() => streams.forEach((s) => s.abort()));
    const follow = async (user: TestUser, id: string) => {
      const abort = new AbortController();
      streams.push(abort);
      const response = await fetch(`${deployer.url}${BUILD}/${id}/logs?follow=true`, {
        headers: { authorization: authorization(user) },
        signal: abort.signal,
      });
      if (response.status !== 200) await response.text();
      return { status: response.status, abort };
    };

    it('caps the followers of a user and of the process with 429', async () => {
      const alices = await start(USERS.alice, `follow-${randomBytes(3).toString('hex')}`);
      const bobs = await start(USERS.bob, `follow-${randomBytes(3).toString('hex')}`);
      const a1 = await follow(USERS.alice, alices);
      const a2 = await follow(USERS.alice, alices);
      expect([a1.status, a2.status]).toEqual([200, 200]);
      expect((await follow(USERS.alice, alices)).status).toBe(429);
      expect((await follow(USERS.bob, bobs)).status).toBe(200);
      expect((await follow(USERS.bob, bobs)).status).toBe(429);

      // A follower that goes gives its slot back (the server sees the close shortly after).
      a1.abort.abort();
      let again = 429;
      for (let tries = 0; tries < 50 && again === 429; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        again = (await follow(USERS.alice, alices)).status;
      }
      expect(again).toBe(200);
    });
  });

  describe('cleanup', () => {
    it("coalesces a user's 100 concurrent cleanups into one job", async () => {
      const maintenance = new Queue(CLEANUP_QUEUE, {
        connection: { host: deployer.config.REDIS_HOST, port: deployer.config.REDIS_PORT },
        prefix: deployer.config.REDIS_PREFIX,
      });
      try {
        const before = await maintenance.count();
        const answers = await Promise.all(
          Array.from({ length: 100 }, () => call(deployer.url, 'POST', `${BUILD}/cleanup`, { auth: authorization(USERS.bob), json: { max_age_hours: 1 } })),
        );
        expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
        expect((await maintenance.count()) - before).toBe(1);
      } finally {
        await maintenance.close();
      }
    });
  });
});
