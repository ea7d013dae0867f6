import { DelayedError, Job, Worker } from 'bullmq';
import { CappedBuild, RunningBuildsRepository } from '#libs/builds';
import { BUILD_QUEUE, BuildQueue, JobQueues } from '#libs/queues';
import { redisConnectionOptions } from '#libs/redis';
import { WorkerHarness, startWorkerHarness } from '../../../../test/support/worker-harness.js';
import { UserRunningCap } from './user-running-cap.js';

/** MAX_RUNNING_BUILDS_PER_USER=1 against the real Redis and BullMQ: the second build parks, the first one's end wakes it. */
describe('UserRunningCap', () => {
  let harness: WorkerHarness;
  let cap: UserRunningCap;
  let queue: BuildQueue;
  let worker: Worker;
  let taken = 0;

  beforeAll(async () => {
    harness = await startWorkerHarness({ MAX_RUNNING_BUILDS_PER_USER: '1', BUILD_FAIR_SHARES: 'false' });
    cap = harness.app.get(UserRunningCap);
    queue = harness.app.get(BuildQueue);
    // A worker without a processor: the spec takes each job by hand, as the worker host would.
    worker = new Worker(BUILD_QUEUE, null, {
      connection: { ...redisConnectionOptions(harness.config), maxRetriesPerRequest: null },
      prefix: harness.config.REDIS_PREFIX,
    });
  });
  afterAll(async () => {
    await worker.close();
    await harness.close();
  });

  /** Enqueues a build of `login` and takes its job, as a worker slot would. */
  async function take(login: string): Promise<{ build: CappedBuild; job: Job; token: string }> {
    const record = await harness.queuedBuild(login);
    await queue.enqueue(record);
    const token = `token-${(taken += 1)}`;
    const job = (await worker.getNextJob(token)) as Job;
    expect(job.data).toEqual({ buildId: record.id });
    return { build: { id: record.id, login, jobId: String(job.id) }, job, token };
  }

  const jobOf = async (jobId: string) => (await harness.app.get(JobQueues).queue(BUILD_QUEUE).getJob(jobId)) as Job;
  const stateOf = async (jobId: string) => (await jobOf(jobId)).getState();

  it('admits a user up to the cap and parks the next build as delayed, spending no attempt', async () => {
    const first = await take('capped');
    await cap.admit(first.build, first.job, first.token);

    const second = await take('capped');
    await expect(cap.admit(second.build, second.job, second.token)).rejects.toBeInstanceOf(DelayedError);
    expect(await stateOf(second.build.jobId)).toBe('delayed');
    expect((await jobOf(second.build.jobId)).attemptsMade).toBe(0);

    // Another user is not held back.
    const other = await take('someone-else');
    await cap.admit(other.build, other.job, other.token);

    await cap.release(first.build);
    expect(await stateOf(second.build.jobId)).toBe('waiting');
    expect(await harness.app.get(RunningBuildsRepository).acquire(second.build)).toBe(true);
  });
});
