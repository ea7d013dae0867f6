import { BuildQueue } from '#libs/queues';
import { WorkerHarness, startWorkerHarness } from '../../../../test/support/worker-harness.js';
import { OrphanBuildsReconciler } from './orphan-builds.reconciler.js';

/** Builds recorded but never enqueued (an API that died in between), against the real Redis. */
describe('OrphanBuildsReconciler', () => {
  let harness: WorkerHarness;
  let reconciler: OrphanBuildsReconciler;
  let queue: BuildQueue;

  beforeAll(async () => {
    harness = await startWorkerHarness({ ORPHAN_MIN_AGE_MS: '1000' });
    reconciler = harness.app.get(OrphanBuildsReconciler);
    queue = harness.app.get(BuildQueue);
  });
  afterAll(() => harness.close());

  it('enqueues an old queued build missing from the queue, once', async () => {
    const orphan = await harness.queuedBuild('orphaned', { createdAt: Date.now() - 60_000 });
    expect(await queue.isEnqueued(orphan.id)).toBe(false);
    expect(await reconciler.reconcile()).toBe(1);
    expect(await queue.isEnqueued(orphan.id)).toBe(true);
    expect(await reconciler.reconcile()).toBe(0);
  });

  it('leaves alone a build just stored (its API may still enqueue it), a running one and an enqueued one', async () => {
    const fresh = await harness.queuedBuild('fresh');
    const running = await harness.queuedBuild('runner', { createdAt: Date.now() - 60_000 });
    await harness.records.markRunning(running.id);
    const enqueued = await harness.queuedBuild('enqueued', { createdAt: Date.now() - 60_000 });
    await queue.enqueue(enqueued);
    expect(await reconciler.reconcile()).toBe(0);
    expect(await queue.isEnqueued(fresh.id)).toBe(false);
    expect(await queue.isEnqueued(running.id)).toBe(false);
  });
});
