import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { KubernetesRepository, Page, WatchEventType } from '#libs/kube';
import { BuildJobListener, BuildJobsInformer, mayConcern } from './build-jobs.informer.js';
import { BUILD_ID_LABEL } from './kubernetes-labels.js';

type Event = { type: WatchEventType; object: V1Job | V1Pod };

/** One open watch of the fake API: the events sent to it as lines, and how it was asked for. */
interface OpenWatch {
  resource: 'jobs' | 'pods';
  resourceVersion?: string;
  send(event: Event): void;
  end(): void;
}

/** The list and watch calls of KubernetesRepository the informer makes, with each watch driven by the test. */
class FakeApi {
  lists = 0;
  readonly watches: OpenWatch[] = [];
  parsed = 0;

  async listJobs(): Promise<Page<V1Job>> {
    this.lists++;
    return { items: [], resourceVersion: '10' };
  }

  async listPods(): Promise<Page<V1Pod>> {
    return { items: [], resourceVersion: '11' };
  }

  watch(
    resource: 'jobs' | 'pods',
    query: { resourceVersion?: string },
    onEvent: (type: WatchEventType, object: V1Job | V1Pod) => void,
    signal: AbortSignal,
    wanted?: (line: string) => boolean,
  ): Promise<void> {
    return new Promise((resolve) => {
      const watch: OpenWatch = {
        resource,
        resourceVersion: query.resourceVersion,
        send: (event) => {
          const line = JSON.stringify(event);
          if (wanted && !wanted(line)) return;
          this.parsed++;
          const parsed = JSON.parse(line) as Event;
          onEvent(parsed.type, parsed.object);
        },
        end: resolve,
      };
      signal.addEventListener('abort', () => resolve(), { once: true });
      this.watches.push(watch);
    });
  }

  open(resource: 'jobs' | 'pods'): OpenWatch {
    const found = [...this.watches].reverse().find((watch) => watch.resource === resource);
    if (!found) throw new Error(`no ${resource} watch open`);
    return found;
  }
}

const job = (name: string, version: string): V1Job => ({ metadata: { name, resourceVersion: version, labels: { [BUILD_ID_LABEL]: name.slice(-4) } } });
const pod = (jobName: string, version: string): V1Pod => ({
  metadata: {
    name: `${jobName}-x1y2z`,
    resourceVersion: version,
    labels: { [BUILD_ID_LABEL]: jobName.slice(-4) },
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: 'u', controller: true }],
  },
});

const recorder = () => {
  const seen: string[] = [];
  const listener: BuildJobListener = {
    job: (type, object) => seen.push(`job ${type} ${object.metadata?.resourceVersion}`),
    pod: (type, object) => seen.push(`pod ${type} ${object.metadata?.resourceVersion}`),
    broken: () => seen.push('broken'),
  };
  return { seen, listener };
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BuildJobsInformer', () => {
  let api: FakeApi;
  let informer: BuildJobsInformer;
  beforeEach(() => {
    api = new FakeApi();
    informer = new BuildJobsInformer(api as unknown as KubernetesRepository);
  });
  afterEach(() => informer.close());

  it('watches from the lists made before the first subscription, and routes each event to its Job, held until the follower listens', async () => {
    const feed = (await informer.subscribe('build-a-0001'))!;
    expect(api.lists).toBe(1);
    expect(api.open('jobs').resourceVersion).toBe('10');
    expect(api.open('pods').resourceVersion).toBe('11');
    api.open('jobs').send({ type: 'ADDED', object: job('build-a-0001', '12') });
    api.open('pods').send({ type: 'ADDED', object: pod('build-a-0001', '13') });
    api.open('jobs').send({ type: 'ADDED', object: job('build-b-0002', '14') });
    const { seen, listener } = recorder();
    feed.listen(listener);
    api.open('pods').send({ type: 'MODIFIED', object: pod('build-a-0001', '15') });
    expect(seen).toEqual(['job ADDED 12', 'pod ADDED 13', 'pod MODIFIED 15']);
    // A second build of the same name in this worker is not given the same feed.
    expect(await informer.subscribe('build-a-0001')).toBeNull();
    expect(api.lists).toBe(1);
  });

  it('skips, unparsed, the lines of builds it does not follow, but never a bookmark', async () => {
    await informer.subscribe('build-a-0001');
    api.open('jobs').send({ type: 'ADDED', object: job('build-b-0002', '12') });
    api.open('jobs').send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '40' } } });
    api.open('jobs').send({ type: 'ADDED', object: job('build-a-0001', '41') });
    expect(api.parsed).toBe(2);
    expect(mayConcern(JSON.stringify(job('build-b-0002', '1')), ['build-a-0001'])).toBe(false);
    expect(mayConcern(JSON.stringify(pod('build-a-0001', '1')), ['build-c-0003', 'build-a-0001'])).toBe(true);
    expect(mayConcern('{"type":"ERROR","object":{"kind":"Status","code":410}}', [])).toBe(true);
  });

  it('reopens a watch the server ended from the last version it reported, bookmarks included', async () => {
    await informer.subscribe('build-a-0001');
    const first = api.open('jobs');
    first.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '57' } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.end();
    await settle();
    const second = api.open('jobs');
    expect(second).not.toBe(first);
    expect(second.resourceVersion).toBe('57');
    expect(api.lists).toBe(1);
  });

  it('breaks every feed on an expired version; the next subscription lists again', async () => {
    const feed = (await informer.subscribe('build-a-0001'))!;
    const { seen, listener } = recorder();
    feed.listen(listener);
    api.open('pods').send({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } as V1Pod });
    expect(seen).toEqual(['broken']);
    await informer.subscribe('build-b-0002');
    expect(api.lists).toBe(2);
  });

  it('breaks the feeds when a watch ends at once without an event (refused)', async () => {
    const feed = (await informer.subscribe('build-a-0001'))!;
    const { seen, listener } = recorder();
    feed.listen(listener);
    api.open('jobs').end();
    await settle();
    expect(seen).toEqual(['broken']);
  });
});
