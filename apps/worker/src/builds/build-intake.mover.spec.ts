import { Job } from 'bullmq';
import { RedisKeys } from '#libs/builds';
import { BUILD_QUEUE, BuildIntake, BuildQueue, JobQueues } from '#libs/queues';
import { queuedBuildRecord } from '../../../../test/support/build-record.fixture.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { WorkerHarness, startWorkerHarness } from '../../../../test/support/worker-harness.js';
import { BuildIntakeMover } from './build-intake.mover.js';

/** Accepted builds on their way from the intake into the queue, against the real Redis; nothing consumes the queue. */
describe('BuildIntakeMover', () => {
  let harness: WorkerHarness;
  let intakeKey: string;
  const movers: BuildIntakeMover[] = [];

  beforeAll(async () => {
    harness = await startWorkerHarness();
    intakeKey = new RedisKeys(harness.config.REDIS_PREFIX).intake();
  });
  afterEach(async () => {
    for (const mover of movers.splice(0)) await mover.beforeApplicationShutdown();
  });
  afterAll(() => harness.close());

  const startMover = () => {
    const mover = new BuildIntakeMover(harness.app.get(BuildIntake), harness.app.get(BuildQueue));
    mover.onApplicationBootstrap();
    movers.push(mover);
    return mover;
  };
  const accept = async (login: string) => {
    const record = queuedBuildRecord(login);
    const claimed = await harness.records.claim(record, null, { intake: true });
    if (claimed.outcome !== 'created') throw new Error(`claim: ${claimed.outcome}`);
    return record.id;
  };
  const jobOf = async (id: string) => (await harness.app.get(JobQueues).queue(BUILD_QUEUE).getJob(id)) as Job | undefined;
  const intakeEmpty = async () => (await harness.redis.xlen(intakeKey)) === 0;
  const consumers = async () => ((await harness.redis.xinfo('CONSUMERS', intakeKey, 'movers')) as unknown[][]).map((c) => String(c[1]));

  it('moves accepted builds into the queue under their ids, at the rank their claim counted, and empties the intake', async () => {
    const [first, second, other] = [await accept('alice'), await accept('alice'), await accept('bob')];
    startMover();
    await waitUntil('the intake to empty', intakeEmpty, 10_000, 20);
    const jobs = await Promise.all([first, second, other].map(jobOf));
    expect(jobs.map((job) => job?.data)).toEqual([{ buildId: first }, { buildId: second }, { buildId: other }]);
    // A user's first build waits in the plain list; her second at rank 2.
    expect(await Promise.all(jobs.map((job) => job!.getState()))).toEqual(['waiting', 'prioritized', 'waiting']);
    expect(jobs[1]!.opts.priority).toBe(2);
    // Accepted while it runs: moved at once.
    const later = await accept('carol');
    await waitUntil('the later build to be queued', async () => (await jobOf(later)) !== undefined, 10_000, 20);
    await waitUntil('the intake to empty', intakeEmpty, 10_000, 20);
  });

  it('moves what a mover that died had taken, once it has been idle, and what it had moved stays one job', async () => {
    const intake = harness.app.get(BuildIntake);
    await intake.join();
    const taken = await accept('dave');
    const [[, [[entry]]]] = (await harness.redis.xreadgroup('GROUP', 'movers', 'dead', 'COUNT', 1, 'STREAMS', intakeKey, '>')) as [string, [string, string[]][]][];
    // Its mover died a minute ago, having taken it.
    await harness.redis.xclaim(intakeKey, 'movers', 'dead', 0, entry, 'IDLE', 60_000);
    startMover();
    await waitUntil('the abandoned build to be queued', async () => (await jobOf(taken)) !== undefined, 10_000, 20);
    await waitUntil('the intake to empty', intakeEmpty, 10_000, 20);
    expect(((await harness.redis.xpending(intakeKey, 'movers')) as unknown[])[0]).toBe(0);
    const counts = await harness.app.get(JobQueues).queue(BUILD_QUEUE).getJobCounts('waiting', 'prioritized');
    expect(counts.waiting + counts.prioritized).toBe(5);
  });

  it('keeps the job of a build the backstop queued first: one job, as it was', async () => {
    const id = await accept('frank');
    await harness.app.get(BuildQueue).enqueue({ id, login: 'frank' });
    const first = await jobOf(id);
    startMover();
    await waitUntil('the intake to empty', intakeEmpty, 10_000, 20);
    const after = await jobOf(id);
    expect({ timestamp: after?.timestamp, data: after?.data }).toEqual({ timestamp: first?.timestamp, data: { buildId: id } });
    const all = await harness.app.get(JobQueues).queue(BUILD_QUEUE).getJobs(['waiting', 'prioritized']);
    expect(all.filter((job) => job.id === id)).toHaveLength(1);
  });

  it('keeps moving after the intake is gone from Redis (a Redis that restarted empty): the group comes back', async () => {
    startMover();
    const before = await accept('gina');
    await waitUntil('the first build to be queued', async () => (await jobOf(before)) !== undefined, 10_000, 20);
    await harness.redis.del(intakeKey);
    const after = await accept('gina');
    await waitUntil('the build accepted since to be queued', async () => (await jobOf(after)) !== undefined, 15_000, 50);
    await waitUntil('the intake to empty', intakeEmpty, 10_000, 20);
  });

  it('leaves the group when it stops, and a build accepted meanwhile waits for the next mover', async () => {
    await harness.app.get(BuildIntake).join();
    const before = await consumers();
    const mover = startMover();
    // A consumer is in the group once it has taken an entry.
    const moved = await accept('erin');
    await waitUntil('the build to be queued', async () => (await jobOf(moved)) !== undefined, 10_000, 20);
    expect((await consumers()).length).toBe(before.length + 1);
    await mover.beforeApplicationShutdown();
    movers.splice(movers.indexOf(mover), 1);
    expect(await consumers()).toEqual(before);
    const waiting = await accept('erin');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await jobOf(waiting)).toBeUndefined();
    expect(await harness.app.get(BuildQueue).counts()).toMatchObject({ accepted: 1 });
    startMover();
    await waitUntil('the next mover to queue it', async () => (await jobOf(waiting)) !== undefined, 10_000, 20);
  });
});
