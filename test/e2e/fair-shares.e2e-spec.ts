import { createHash, randomBytes } from 'node:crypto';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, USERS, authorization, targetOf } from '../support/test-users.js';
import { waitUntil } from '../support/wait-until.js';

const START = '/system/api/v1/build/start';

/** Starts a build whose extend step sleeps `seconds`; distinct bytes, so builds never coalesce. */
async function startBuild(deployer: TestDeployer, user: TestUser, seconds: number): Promise<string> {
  const file = Buffer.from(`requests==2.32.3\n# extend: sleep ${seconds}\n# ${randomBytes(6).toString('hex')}\n`);
  const tag = `python-${createHash('md5').update(file).digest('hex')}`;
  const answer = await call(deployer.url, 'POST', START, {
    auth: authorization(user),
    json: { source: process.env.BASE_IMAGE, target: targetOf(user, tag), kind: 'python', file: file.toString('base64') },
  });
  expect(answer.status).toBe(200);
  return String(answer.body.id);
}

async function statusOf(deployer: TestDeployer, user: TestUser, id: string): Promise<Record<string, unknown>> {
  return (await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth: authorization(user) })).body;
}

const startedAt = (status: Record<string, unknown>) => (status.started_at ? Date.parse(String(status.started_at)) : 0);
const finishedAt = (status: Record<string, unknown>) => (status.finished_at ? Date.parse(String(status.finished_at)) : 0);

describe('fair shares between users', () => {
  let deployer: TestDeployer;

  afterEach(async () => {
    await deployer?.close();
  });

  it("lets another user's quick build start in the first slot that frees, ahead of a user's backlog of slow builds", async () => {
    deployer = await startTestDeployer({ worker: true, env: { BUILD_CONCURRENCY: '2', MAX_RUNNING_BUILDS_PER_USER: '0' } });
    const slow: string[] = [];
    // Her first two take both slots; the second runs longer, so exactly one slot frees first (two freeing in the
    // same millisecond would leave which of the next two builds is marked running first to chance).
    for (let i = 0; i < 8; i++) slow.push(await startBuild(deployer, USERS.alice, i === 1 ? 14 : 8));
    await waitUntil('two of the slow builds to run', async () => {
      const states = await Promise.all(slow.map((id) => statusOf(deployer, USERS.alice, id)));
      return states.filter((s) => s.state === 'running').length === 2;
    }, 120_000);

    const quick = await startBuild(deployer, USERS.bob, 0);
    const bob = await waitForBuild(deployer.url, authorization(USERS.bob), quick);
    expect(bob.state).toBe('succeeded');
    const alice = await Promise.all(slow.map((id) => statusOf(deployer, USERS.alice, id)));
    // Bob waited behind the two builds Alice had running, and none of the six she had queued.
    const aliceStartedFirst = alice.filter((s) => startedAt(s) > 0 && startedAt(s) <= startedAt(bob));
    expect(aliceStartedFirst).toHaveLength(2);
    // By Bob's end at most two more of hers took slots (the other one freed, then Bob's): four still wait.
    expect(alice.filter((s) => s.state === 'queued').length).toBeGreaterThanOrEqual(4);

    const slot = Math.min(...alice.filter((s) => finishedAt(s) > 0).map((s) => finishedAt(s) - startedAt(s)));
    const wait = startedAt(bob) - Date.parse(String(bob.created_at));
    console.log(`fair shares: Bob's quick build waited ${(wait / 1000).toFixed(1)} s behind 8 slow builds (one slot: ${(slot / 1000).toFixed(1)} s)`);

    for (const id of slow) await call(deployer.url, 'DELETE', `/system/api/v1/build/${id}`, { auth: authorization(USERS.alice) });
  });

  it('runs at most MAX_RUNNING_BUILDS_PER_USER of one user at once, parks the rest without failing or losing any, and gives the free slot to another user', async () => {
    deployer = await startTestDeployer({ worker: true, env: { BUILD_CONCURRENCY: '2', MAX_RUNNING_BUILDS_PER_USER: '1' } });
    const capped: string[] = [];
    for (let i = 0; i < 3; i++) capped.push(await startBuild(deployer, USERS.alice, 2));
    await waitUntil('one of them to run', async () => (await statusOf(deployer, USERS.alice, capped[0])).state === 'running', 120_000);
    const other = await startBuild(deployer, USERS.bob, 0);

    const bob = await waitForBuild(deployer.url, authorization(USERS.bob), other);
    const alice: Record<string, unknown>[] = [];
    for (const id of capped) alice.push(await waitForBuild(deployer.url, authorization(USERS.alice), id));
    expect([bob, ...alice].map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);

    // One at a time: no two of Alice's builds ran at once.
    const spans = alice.map((s) => [startedAt(s), finishedAt(s)]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    // Bob used the slot Alice could not: he started before her last build did.
    expect(startedAt(bob)).toBeLessThan(spans[spans.length - 1][0]);

    // Parked, not failed: one attempt each (the one that ran), and each job was taken again only when
    // a slot freed (three starts of their own, at most three wake-ups by a release, one by the fallback timer).
    // The record ends a moment before BullMQ files the job as completed (and counts its attempt).
    await waitUntil('BullMQ to file the jobs as completed', async () =>
      (await Promise.all(capped.map((id) => deployer.queue.getJobState(id)))).every((state) => state === 'completed'),
      120_000,
    );
    const jobs = await Promise.all(capped.map((id) => deployer.queue.getJob(id)));
    expect(jobs.map((job) => job?.attemptsMade)).toEqual([1, 1, 1]);
    const starts = jobs.reduce((sum, job) => sum + (job?.attemptsStarted ?? 0), 0);
    expect(starts).toBeLessThanOrEqual(7);
    const prefix = deployer.config.REDIS_PREFIX;
    const login = USERS.alice.login.toLowerCase();
    // The slot is freed a moment after the record ends.
    await waitUntil('the last slot to be freed', async () => (await deployer.redis.scard(`${prefix}:user:${login}:running`)) === 0, 10_000);
    expect(await deployer.redis.zcard(`${prefix}:user:${login}:parked`)).toBe(0);
  });
});
