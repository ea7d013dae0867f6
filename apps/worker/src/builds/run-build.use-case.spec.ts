import { BuildLogsRepository } from '#libs/builds';
import { BuildFailure, BuildHandover } from '#libs/drivers';
import { queuedBuildRecord } from '../../../../test/support/build-record.fixture.js';
import { untilAborted } from '../../../../test/support/scripted-build-driver.js';
import { WorkerHarness, startWorkerHarness } from '../../../../test/support/worker-harness.js';
import { RunBuildUseCase } from './run-build.use-case.js';

/** One run of a build, against the real Redis and a scripted driver. */
describe('RunBuildUseCase', () => {
  let harness: WorkerHarness;
  let runBuild: RunBuildUseCase;
  let logs: BuildLogsRepository;
  const first = { number: 1, isLast: false };
  const last = { number: 3, isLast: true };
  const live = () => new AbortController().signal;

  beforeAll(async () => {
    harness = await startWorkerHarness();
    runBuild = harness.app.get(RunBuildUseCase);
    logs = harness.app.get(BuildLogsRepository);
  });
  afterAll(() => harness.close());
  afterEach(() => {
    harness.driver.script = async () => ({ digest: `sha256:${'a'.repeat(64)}` });
  });

  it('marks the build running while the driver runs, then records its success', async () => {
    const build = await harness.queuedBuild();
    harness.driver.script = async (spec) => {
      expect(await harness.records.state(spec.buildId)).toBe('running');
      return { digest: `sha256:${'b'.repeat(64)}` };
    };
    await runBuild.execute(build.id, first, live());
    const done = await harness.records.get(build.id);
    expect(done).toMatchObject({ state: 'succeeded', digest: `sha256:${'b'.repeat(64)}`, message: `Pushed ${build.pushImage}` });
    expect(done!.startedAt).toBeGreaterThan(0);
    expect(done!.finishedAt).toBeGreaterThanOrEqual(done!.startedAt);
  });

  it('finishes a build exactly once: a finished build is not run again', async () => {
    const build = await harness.queuedBuild();
    await runBuild.execute(build.id, first, live());
    const finished = await harness.records.get(build.id);
    const logged = await logs.lines(build.id);
    const runs = harness.driver.runs.length;
    await runBuild.execute(build.id, first, live());
    expect(harness.driver.runs.length).toBe(runs);
    expect(await harness.records.get(build.id)).toEqual(finished);
    expect(await logs.lines(build.id)).toEqual(logged);
    expect(await harness.records.finish(finished!, { state: 'failed', reason: 'BuildFailed' })).toBe(false);
  });

  it('runs from a record its caller read, and not at all once that record is stale: marking it running checks the state', async () => {
    const build = queuedBuildRecord('alice', { hasFile: true });
    expect((await harness.records.claim(build, Buffer.from('requests\n'))).outcome).toBe('created');
    const read = await harness.records.get(build.id);
    let file = '';
    harness.driver.script = async (spec) => {
      file = spec.dependencyFile?.content.toString('utf8') ?? '';
      return { digest: `sha256:${'c'.repeat(64)}` };
    };
    expect(await runBuild.execute(build.id, first, live(), read)).toMatchObject({ state: 'succeeded', digest: `sha256:${'c'.repeat(64)}` });
    expect(file).toBe('requests\n');

    const cancelled = await harness.queuedBuild();
    const stale = await harness.records.get(cancelled.id);
    expect(await harness.records.finish(stale!, { state: 'failed', reason: 'Cancelled' })).toBe(true);
    const runs = harness.driver.runs.length;
    expect(await runBuild.execute(cancelled.id, first, live(), stale)).toBeNull();
    expect(harness.driver.runs.length).toBe(runs);
    expect(await harness.records.get(cancelled.id)).toMatchObject({ state: 'failed', reason: 'Cancelled' });
  });

  it('records a build failure with its reason and the log tail', async () => {
    const build = await harness.queuedBuild();
    harness.driver.script = async (_spec, log) => {
      await log.write(['step 1', 'step 2 broke']);
      throw new BuildFailure('the image build failed', 'PushFailed');
    };
    await runBuild.execute(build.id, first, live());
    expect(await harness.records.get(build.id)).toMatchObject({
      state: 'failed',
      reason: 'PushFailed',
      message: 'the image build failed',
      logTail: ['step 1', 'step 2 broke'],
    });
  });

  it('hands a fault back to the queue before the last attempt, and fails the build on the last', async () => {
    const build = await harness.queuedBuild();
    harness.driver.script = async () => {
      throw new Error('builder went away');
    };
    await expect(runBuild.execute(build.id, first, live())).rejects.toThrow('builder went away');
    expect(await harness.records.state(build.id)).toBe('running');
    expect(await logs.tail(build.id, 1)).toEqual(['build interrupted by a fault, retrying: builder went away']);

    await runBuild.execute(build.id, last, live());
    expect(await harness.records.get(build.id)).toMatchObject({ state: 'failed', reason: 'BuilderUnavailable', message: 'builder went away' });
    expect(await logs.tail(build.id, 50)).toContain('--- attempt 3 ---');
  });

  it('does not run a build cancelled while it was queued', async () => {
    const build = await harness.queuedBuild();
    expect(await harness.records.finish(build, { state: 'failed', reason: 'Cancelled', message: 'cancelled on request' })).toBe(true);
    const runs = harness.driver.runs.length;
    await runBuild.execute(build.id, first, live());
    expect(harness.driver.runs.length).toBe(runs);
    expect(await harness.records.get(build.id)).toMatchObject({ state: 'failed', reason: 'Cancelled' });
  });

  it('keeps the cancellation of a running build as its one outcome when the stopped driver fails', async () => {
    const build = await harness.queuedBuild();
    const controller = new AbortController();
    harness.driver.script = async (spec, log, signal) => {
      // Cancelled through the API while running; the worker notices and aborts the builder.
      await harness.records.finish(build, { state: 'failed', reason: 'Cancelled', message: 'cancelled on request' });
      controller.abort();
      return untilAborted(spec, log, signal).catch(() => {
        throw new BuildFailure('stopped', 'BuildFailed');
      });
    };
    await runBuild.execute(build.id, last, controller.signal);
    expect(await harness.records.get(build.id)).toMatchObject({ state: 'failed', reason: 'Cancelled', message: 'cancelled on request' });
  });

  it('records no outcome for a build handed over to another worker', async () => {
    const build = await harness.queuedBuild();
    const controller = new AbortController();
    harness.driver.script = (spec, log, signal) => {
      controller.abort(new BuildHandover());
      return untilAborted(spec, log, signal);
    };
    await expect(runBuild.execute(build.id, last, controller.signal)).rejects.toBeInstanceOf(BuildHandover);
    expect(await harness.records.get(build.id)).toMatchObject({ state: 'running', reason: '', finishedAt: 0 });
    expect(await logs.tail(build.id, 1)).toEqual(['the worker is shutting down: the build goes to another worker']);
  });

  it('skips a build whose record is gone', async () => {
    const runs = harness.driver.runs.length;
    await runBuild.execute('0123456789abcdef0123', first, live());
    expect(harness.driver.runs.length).toBe(runs);
  });
});
