import { BuildRecordsRepository } from '#libs/builds';
import { BUILD_QUEUE, BuildQueue, JobQueues } from '#libs/queues';
import { untilAborted } from '../../../../test/support/scripted-build-driver.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { WorkerHarness, startWorkerHarness } from '../../../../test/support/worker-harness.js';

/** Build jobs through the worker host and the real BullMQ and Redis, with a scripted driver. */
describe('BuildJobHandler', () => {
  describe('running builds', () => {
    let harness: WorkerHarness;

    beforeAll(async () => {
      harness = await startWorkerHarness({}, { init: true });
    });
    afterAll(() => harness.close());

    it('runs an enqueued build to its end', async () => {
      const build = await harness.queuedBuild();
      await harness.app.get(BuildQueue).enqueue(build);
      await waitUntil('the build to succeed', async () => (await harness.records.state(build.id)) === 'succeeded', 15_000);
      expect(harness.driver.runs.map((spec) => spec.buildId)).toContain(build.id);
      // The dashboard shows the outcome as the job's return value.
      const digest = (await harness.records.get(build.id))?.digest;
      const queue = harness.app.get(JobQueues).queue(BUILD_QUEUE);
      await waitUntil('the job to complete', async () => (await queue.getJob(build.id))?.finishedOn !== undefined, 15_000);
      expect((await queue.getJob(build.id))?.returnvalue).toBe(`succeeded ${digest}, attempt 1 on the ${harness.driver.name} driver`);
    });

    it('stops the builder of a build cancelled while it runs', async () => {
      const build = await harness.queuedBuild();
      let aborted = false;
      harness.driver.script = (spec, log, signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return untilAborted(spec, log, signal);
      };
      await harness.app.get(BuildQueue).enqueue(build);
      await waitUntil('the build to run', async () => (await harness.records.state(build.id)) === 'running', 15_000);
      await harness.app.get(BuildRecordsRepository).finish(build, { state: 'failed', reason: 'Cancelled', message: 'cancelled on request' });
      await waitUntil('the builder to be stopped', () => aborted, 15_000);
      expect(await harness.records.get(build.id)).toMatchObject({ state: 'failed', reason: 'Cancelled' });
    });
  });

  it('hands a running build back to the queue on shutdown once the grace period is over', async () => {
    const harness = await startWorkerHarness({ SHUTDOWN_GRACE_SECONDS: '0' }, { init: true });
    try {
      harness.driver.script = untilAborted;
      const build = await harness.queuedBuild();
      await harness.app.get(BuildQueue).enqueue(build);
      await waitUntil('the build to run', async () => (await harness.records.state(build.id)) === 'running', 15_000);
      await harness.stop();
      const prefix = harness.config.REDIS_PREFIX;
      // No outcome recorded, no attempt spent: the job waits for another worker.
      expect(await harness.redis.hmget(`${prefix}:build:${build.id}`, 'state', 'finishedAt')).toEqual(['running', '0']);
      expect(await harness.redis.lrange(`${prefix}:${BUILD_QUEUE}:wait`, 0, -1)).toEqual([build.id]);
      expect(await harness.redis.hget(`${prefix}:${BUILD_QUEUE}:${build.id}`, 'atm')).toBeNull();
    } finally {
      await harness.close();
    }
  });
});
