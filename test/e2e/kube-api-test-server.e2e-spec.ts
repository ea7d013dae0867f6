import { PassThrough } from 'node:stream';
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Job,
} from '@kubernetes/client-node';
import { KubeApiTestServer, type KubeStatus } from '../support/kube-api-server/index.js';

const ns = 'nuvolaris';

function jobBody(name: string, spec: Partial<NonNullable<V1Job['spec']>> = {}, initContainer = false): V1Job {
  return {
    metadata: { name, labels: { app: 'build' } },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          initContainers: initContainer ? [{ name: 'prepare', image: 'busybox:1.36' }] : undefined,
          containers: [{ name: 'main', image: 'moby/buildkit:v0.23.2-rootless' }],
        },
      },
      ...spec,
    },
  };
}

function statusOf(error: unknown): KubeStatus {
  if (!(error instanceof ApiException)) throw error;
  return JSON.parse(String(error.body)) as KubeStatus;
}

async function statusBody(response: Response): Promise<KubeStatus> {
  return (await response.json()) as KubeStatus;
}

function phaseOf(object: Record<string, unknown>): string | undefined {
  return (object['status'] as { phase?: string } | undefined)?.phase;
}

async function failure(promise: Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Kubernetes API test server, through @kubernetes/client-node', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01, bookmarkIntervalMs: 100 });
  let config: KubeConfig;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  const raw = (path: string, init: RequestInit = {}, token = server.token) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  const jobCondition = async (name: string) =>
    waitFor(async () => (await batch.readNamespacedJob({ name, namespace: ns })).status?.conditions?.find((c) => c.type === 'Complete' || c.type === 'Failed'));

  beforeAll(async () => {
    await server.start();
    config = new KubeConfig();
    config.loadFromFile(server.kubeconfigPath);
    core = config.makeApiClient(CoreV1Api);
    batch = config.makeApiClient(BatchV1Api);
  });
  afterEach(() => server.reset());
  afterAll(() => server.stop());

  describe('objects and errors', () => {
    it('creates, reads, replaces, patches and deletes a ConfigMap with server-owned metadata', async () => {
      const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'ctx' }, data: { a: '1' } } });
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
      expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

      const read = await core.readNamespacedConfigMap({ name: 'ctx', namespace: ns });
      expect(read.data).toEqual({ a: '1' });
      const replaced = await core.replaceNamespacedConfigMap({ name: 'ctx', namespace: ns, body: { ...read, data: { a: '2' } } });
      expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

      const stale = await failure(core.replaceNamespacedConfigMap({ name: 'ctx', namespace: ns, body: { ...read, data: { a: '3' } } }));
      expect([stale.code, statusOf(stale).reason]).toEqual([409, 'Conflict']);

      const merged = await core.patchNamespacedConfigMap(
        { name: 'ctx', namespace: ns, body: { data: { b: 'x' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(merged.data).toEqual({ a: '2', b: 'x' });
      const jsonPatched = await core.patchNamespacedConfigMap({ name: 'ctx', namespace: ns, body: [{ op: 'remove', path: '/data/a' }] });
      expect(jsonPatched.data).toEqual({ b: 'x' });

      const deleted = await core.deleteNamespacedConfigMap({ name: 'ctx', namespace: ns });
      expect(deleted.status).toBe('Success');
      const missing = await failure(core.readNamespacedConfigMap({ name: 'ctx', namespace: ns }));
      expect(missing.code).toBe(404);
      expect(statusOf(missing)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'configmaps "ctx" not found' });
    });

    it('answers 409 AlreadyExists and honours generateName', async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'once' } } });
      const again = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'once' } } }));
      expect([again.code, statusOf(again).reason]).toEqual([409, 'AlreadyExists']);
      const generated = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'gen-' } } });
      expect(generated.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    });

    it.each([
      ['a name that is not a DNS-1123 subdomain', { metadata: { name: 'Bad_Name' } }, 'metadata.name'],
      ['an invalid label value', { metadata: { name: 'ok', labels: { user: 'a b' } } }, 'metadata.labels'],
      ['an invalid data key', { metadata: { name: 'ok' }, data: { 'a b': 'x' } }, 'data[a b]'],
      ['more than 1 MiB of data', { metadata: { name: 'ok' }, data: { big: 'x'.repeat(1024 * 1024 + 1) } }, '[]'],
    ])('rejects a ConfigMap with %s as 422 Invalid with causes', async (_case, body, field) => {
      const error = await failure(core.createNamespacedConfigMap({ namespace: ns, body: body as V1ConfigMap }));
      expect(error.code).toBe(422);
      expect(statusOf(error).reason).toBe('Invalid');
      expect(statusOf(error).details?.causes?.map((cause) => cause.field)).toContain(field);
    });

    it('validates Jobs and Secrets beyond the schema', async () => {
      const longName = await failure(batch.createNamespacedJob({ namespace: ns, body: jobBody('j'.repeat(64)) }));
      expect(statusOf(longName).details?.causes?.map((cause) => cause.field)).toContain('spec.template.labels');
      const noRestart = jobBody('no-restart');
      delete noRestart.spec?.template.spec?.restartPolicy;
      const restart = await failure(batch.createNamespacedJob({ namespace: ns, body: noRestart }));
      expect(statusOf(restart).details?.causes).toContainEqual(expect.objectContaining({ field: 'spec.template.spec.restartPolicy', reason: 'FieldValueRequired' }));
      const noContainers = await failure(batch.createNamespacedJob({ namespace: ns, body: { metadata: { name: 'x' }, spec: { template: { spec: { containers: [] } } } } }));
      expect(noContainers.code).toBe(422);

      const pullSecret = await failure(core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { other: 'x' } } }));
      expect(statusOf(pullSecret).details?.causes?.[0]).toMatchObject({ field: 'data[.dockerconfigjson]', reason: 'FieldValueRequired' });
      const badJson = await failure(
        core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{nope' } } }),
      );
      expect(badJson.code).toBe(422);
      const good = await core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } },
      });
      expect(good.data?.['.dockerconfigjson']).toBe(Buffer.from('{"auths":{}}').toString('base64'));
      expect(good.stringData).toBeUndefined();
    });

    it('answers 400 for malformed JSON, wrong types, a namespace mismatch and unknown fields under Strict', async () => {
      const malformed = await raw(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: '{"metadata":' });
      expect([malformed.status, (await statusBody(malformed)).reason]).toEqual([400, 'BadRequest']);
      const wrongType = await raw(`/apis/batch/v1/namespaces/${ns}/jobs`, { method: 'POST', body: JSON.stringify({ ...jobBody('t'), spec: { ...jobBody('t').spec, backoffLimit: 'six' } }) });
      expect(wrongType.status).toBe(400);
      const elsewhere = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x', namespace: 'default' } } }));
      expect(elsewhere.code).toBe(400);
      const strict = await raw(`/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'x' }, dta: {} }) });
      expect([strict.status, (await statusBody(strict)).message]).toEqual([400, 'strict decoding error: unknown field "dta"']);
      const warned = await raw(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'x' }, dta: {} }) });
      expect([warned.status, warned.headers.get('warning')]).toEqual([201, '299 - "unknown field \\"dta\\""']);
    });

    it('answers 401 without the bearer token, 405 for an unsupported verb and 404 in an unknown namespace', async () => {
      const anonymous = await raw(`/api/v1/namespaces/${ns}/configmaps`, {}, 'wrong');
      expect([anonymous.status, (await statusBody(anonymous)).reason]).toEqual([401, 'Unauthorized']);
      const post = await raw(`/api/v1/namespaces/${ns}/configmaps/x`, { method: 'POST', body: '{}' });
      expect([post.status, (await statusBody(post)).reason]).toEqual([405, 'MethodNotAllowed']);
      const nowhere = await failure(core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }));
      expect(statusOf(nowhere).message).toBe('namespaces "nowhere" not found');
    });
  });

  describe('lists', () => {
    beforeEach(async () => {
      const labels: Record<string, Record<string, string>> = { one: { a: 'x', c: '1' }, two: { a: 'y' }, three: { a: 'z', c: '2' }, four: { b: 'only' } };
      for (const [name, set] of Object.entries(labels)) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: set } } });
    });

    it.each([
      ['a=x,c', ['one']],
      ['a in (x,y)', ['one', 'two']],
      ['!a', ['four']],
      ['a!=x', ['four', 'three', 'two']],
      ['a notin (x),c', ['three']],
    ])('selects by label %s', async (labelSelector, names) => {
      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector });
      expect(list.items.map((item) => item.metadata?.name)).toEqual(names);
    });

    it('selects by the labels of the current version after a relabel or a delete', async () => {
      await core.patchNamespacedConfigMap({ name: 'one', namespace: ns, body: [{ op: 'replace', path: '/metadata/labels/a', value: 'y' }] });
      await core.deleteNamespacedConfigMap({ name: 'two', namespace: ns });
      const names = async (labelSelector: string) => (await core.listNamespacedConfigMap({ namespace: ns, labelSelector })).items.map((item) => item.metadata?.name);
      expect(await names('a=x')).toEqual([]);
      expect(await names('a=y')).toEqual(['one']);
      expect(await names('a=y,c=1')).toEqual(['one']);
    });

    it('selects by field and paginates with continue tokens', async () => {
      const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=two' });
      expect(byName.items.map((item) => item.metadata?.name)).toEqual(['two']);
      const first = await core.listNamespacedConfigMap({ namespace: ns, limit: 3 });
      expect(first.items).toHaveLength(3);
      expect(first.metadata?.remainingItemCount).toBe(1);
      expect(Number(first.metadata?.resourceVersion)).toBeGreaterThan(0);
      const second = await core.listNamespacedConfigMap({ namespace: ns, limit: 3, _continue: first.metadata?._continue });
      expect([...first.items, ...second.items].map((item) => item.metadata?.name)).toEqual(['four', 'one', 'three', 'two']);
      expect(second.metadata?._continue).toBeUndefined();
    });

    it('deletes a collection by label selector', async () => {
      await core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'a' });
      expect(server.objects('ConfigMap', ns).map((object) => object.metadata.name)).toEqual(['four']);
    });
  });

  describe('jobs, pods, watches and garbage collection', () => {
    it('streams the lifecycle of a Job to a watch and garbage-collects what it owns', async () => {
      const events: string[] = [];
      const watch = await new Watch(config).watch(`/apis/batch/v1/namespaces/${ns}/jobs`, { labelSelector: 'app=build' }, (type, job: V1Job) => {
        const done = job.status?.conditions?.find((c) => c.type === 'Complete')?.type ?? '';
        events.push(`${type}:${job.metadata?.name}:${done}`);
      }, () => undefined);
      const job = await batch.createNamespacedJob({ namespace: ns, body: jobBody('lifecycle') });
      const owned = { apiVersion: 'batch/v1', kind: 'Job', name: 'lifecycle', uid: job.metadata?.uid ?? '' };
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'lifecycle-ctx', ownerReferences: [owned] } } });
      await jobCondition('lifecycle');
      const pod = server.objects('Pod', ns)[0];
      expect(pod.metadata.name).toMatch(/^lifecycle-[a-z0-9]{5}$/);
      expect(pod.metadata.labels).toMatchObject({ 'job-name': 'lifecycle', 'batch.kubernetes.io/job-name': 'lifecycle', 'controller-uid': job.metadata?.uid });
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', uid: job.metadata?.uid, controller: true });

      await batch.deleteNamespacedJob({ name: 'lifecycle', namespace: ns, propagationPolicy: 'Background' });
      await waitFor(() => server.objects('ConfigMap', ns).length === 0 && server.objects('Pod', ns).length === 0);
      await waitFor(() => events.includes('DELETED:lifecycle:Complete'));
      expect(events[0]).toBe('ADDED:lifecycle:');
      expect(events).toContain('MODIFIED:lifecycle:Complete');
      watch.abort();
    });

    it('runs a native sidecar (an init container with restartPolicy Always) beside the main container, and refuses restart policies elsewhere', async () => {
      const withSidecar = jobBody('sidecar', {}, true);
      withSidecar.spec!.template.spec!.initContainers!.push({ name: 'proxy', image: 'openserverless/deployer:0.1.0', restartPolicy: 'Always' });
      await batch.createNamespacedJob({ namespace: ns, body: withSidecar });
      const running = await waitFor(() => server.objects('Pod', ns).find((pod) => phaseOf(pod) === 'Running'));
      const inits = (running.status as { initContainerStatuses: { name: string; state: Record<string, unknown> }[] }).initContainerStatuses;
      expect(inits.find((s) => s.name === 'prepare')?.state).toHaveProperty('terminated');
      expect(inits.find((s) => s.name === 'proxy')?.state).toHaveProperty('running');
      expect((await jobCondition('sidecar')).type).toBe('Complete');
      const done = server.objects('Pod', ns)[0];
      expect(phaseOf(done)).toBe('Succeeded');
      const proxy = (done.status as { initContainerStatuses: { name: string; state: { terminated?: { exitCode: number } } }[] }).initContainerStatuses.find((s) => s.name === 'proxy');
      expect(proxy?.state.terminated?.exitCode).toBe(0);

      const badInit = jobBody('bad-init', {}, true);
      badInit.spec!.template.spec!.initContainers![0].restartPolicy = 'Never';
      expect(statusOf(await failure(batch.createNamespacedJob({ namespace: ns, body: badInit }))).details?.causes).toContainEqual(
        expect.objectContaining({ field: 'spec.template.spec.initContainers[0].restartPolicy', reason: 'FieldValueNotSupported' }),
      );
      const badMain = jobBody('bad-main');
      badMain.spec!.template.spec!.containers[0].restartPolicy = 'Always';
      expect(statusOf(await failure(batch.createNamespacedJob({ namespace: ns, body: badMain }))).details?.causes).toContainEqual(
        expect.objectContaining({ field: 'spec.template.spec.containers[0].restartPolicy', reason: 'FieldValueForbidden' }),
      );
    });

    it('orphans dependents when asked to, and by default for batch/v1 Jobs with a warning', async () => {
      const job = await batch.createNamespacedJob({ namespace: ns, body: jobBody('orphaner') });
      const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'orphaner', uid: job.metadata?.uid ?? '' };
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'kept', ownerReferences: [owner] } } });
      const response = await raw(`/apis/batch/v1/namespaces/${ns}/jobs/orphaner`, { method: 'DELETE' });
      expect(response.headers.get('warning')).toContain('child pods are preserved by default');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const kept = await core.readNamespacedConfigMap({ name: 'kept', namespace: ns });
      expect(kept.metadata?.ownerReferences).toBeUndefined();
    });

    it('collects a dependent whose owner uid does not exist', async () => {
      const dangling = { apiVersion: 'batch/v1', kind: 'Job', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' };
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dangling', ownerReferences: [dangling] } } });
      await waitFor(() => server.objects('ConfigMap', ns).length === 0);
    });

    it('fails a Job with BackoffLimitExceeded after its pods fail, with the exit code', async () => {
      server.script(() => ({ outcome: 'fail', exitCode: 3 }));
      await batch.createNamespacedJob({ namespace: ns, body: jobBody('failing', { backoffLimit: 1 }) });
      expect(await jobCondition('failing')).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
      const job = await batch.readNamespacedJob({ name: 'failing', namespace: ns });
      expect(job.status?.failed).toBe(2);
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=failing' });
      expect(pods.items.map((pod) => pod.status?.containerStatuses?.[0].state?.terminated?.exitCode)).toEqual([3, 3]);
    });

    it('kills a hanging Job at its activeDeadlineSeconds and deletes it after ttlSecondsAfterFinished', async () => {
      server.script(() => ({ outcome: 'hang' }));
      await batch.createNamespacedJob({ namespace: ns, body: jobBody('slow', { activeDeadlineSeconds: 20, ttlSecondsAfterFinished: 30 }) });
      await waitFor(() => server.objects('Pod', ns)[0]?.status);
      expect(await jobCondition('slow')).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded' });
      expect(server.objects('Pod', ns)).toHaveLength(0);
      await waitFor(() => server.objects('Job', ns).length === 0);
    });

    it.each([
      ['imagePullBackOff', 'ImagePullBackOff', false],
      ['errImagePull', 'ErrImagePull', true],
      ['createContainerConfigError', 'CreateContainerConfigError', false],
    ] as const)('reports %s as a waiting reason', async (outcome, reason, initContainer) => {
      server.script(() => ({ outcome }));
      await batch.createNamespacedJob({ namespace: ns, body: jobBody('stuck', {}, initContainer) });
      const waiting = await waitFor(async () => {
        const [pod] = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=stuck' })).items;
        const statuses = initContainer ? pod?.status?.initContainerStatuses : pod?.status?.containerStatuses;
        return statuses?.[0].state?.waiting?.reason === reason ? pod : undefined;
      });
      expect(waiting.status?.phase).toBe('Pending');
      const logs = await failure(new Log(config).log(ns, waiting.metadata?.name ?? '', initContainer ? 'prepare' : 'main', new PassThrough()));
      expect(logs.code).toBe(400);
    });

    it('keeps a pod in ContainerCreating until its ConfigMap volume exists', async () => {
      const body = jobBody('needs-ctx');
      const podSpec = body.spec?.template.spec;
      if (podSpec) {
        podSpec.volumes = [{ name: 'ctx', configMap: { name: 'ctx' } }];
        podSpec.containers[0].volumeMounts = [{ name: 'ctx', mountPath: '/ctx' }];
      }
      await batch.createNamespacedJob({ namespace: ns, body });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.objects('Pod', ns)[0].status).toMatchObject({ phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'ctx' } } });
      expect(await jobCondition('needs-ctx')).toMatchObject({ type: 'Complete' });
    });

    it('follows the log of a running container until it terminates', async () => {
      server.script(() => ({ outcome: 'succeed', logLines: ['#1 resolve', '#2 build', '#3 push'], lineIntervalMs: 30 }));
      await batch.createNamespacedJob({ namespace: ns, body: jobBody('logged') });
      const pod = await waitFor(() => server.objects('Pod', ns).find((candidate) => phaseOf(candidate) === 'Running'));
      const sink = new PassThrough();
      let text = '';
      sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const ended = new Promise((resolve) => sink.on('end', resolve));
      await new Log(config).log(ns, pod.metadata.name, 'main', sink, { follow: true });
      await ended;
      expect(text).toBe('#1 resolve\n#2 build\n#3 push\n');
    });

    it('answers a watch from a compacted resourceVersion with an ERROR event carrying 410 Expired', async () => {
      const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'old' } } });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'newer' } } });
      server.compact();
      const error = await new Promise<KubeStatus>((resolve) => {
        void new Watch(config).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: created.metadata?.resourceVersion }, (type, object: KubeStatus) => {
          if (type === 'ERROR') resolve(object);
        }, () => undefined);
      });
      expect(error).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    });

    it('resumes a watch from a resourceVersion and sends bookmarks when allowed', async () => {
      const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'first' } } });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'second' } } });
      const seen: string[] = [];
      const watch = await new Watch(config).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: first.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type, object: V1ConfigMap) => seen.push(`${type}:${object.metadata?.name ?? object.metadata?.resourceVersion}`),
        () => undefined,
      );
      await waitFor(() => seen.some((entry) => entry.startsWith('BOOKMARK')), 3000);
      expect(seen[0]).toBe('ADDED:second');
      watch.abort();
    });
  });

  describe('fault injection and introspection', () => {
    it('injects 500 and 429 Status answers only where matched', async () => {
      server.faults({ errorRate: 1, match: (method) => method === 'POST' });
      const internal = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x' } } }));
      expect([internal.code, statusOf(internal).reason]).toEqual([500, 'InternalError']);
      await expect(core.listNamespacedConfigMap({ namespace: ns })).resolves.toBeDefined();
      server.faults({ tooManyRequestsRate: 1 });
      const limited = await raw(`/api/v1/namespaces/${ns}/configmaps`);
      expect([limited.status, limited.headers.get('retry-after'), (await statusBody(limited)).reason]).toEqual([429, '1', 'TooManyRequests']);
    });

    it('adds latency and drops connections', async () => {
      server.faults({ latencyMs: 150 });
      const started = Date.now();
      await core.listNamespacedConfigMap({ namespace: ns });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      server.faults({ dropConnectionRate: 1 });
      await expect(core.listNamespacedConfigMap({ namespace: ns })).rejects.toThrow();
    });

    it('decides random faults deterministically from the seed', async () => {
      const outcomes = async () => {
        server.faults({ errorRate: 0.5, seed: 7 });
        const codes: number[] = [];
        for (let index = 0; index < 12; index++) codes.push((await raw(`/api/v1/namespaces/${ns}/configmaps`)).status);
        return codes;
      };
      const first = await outcomes();
      expect(first).toContain(500);
      expect(first).toContain(200);
      expect(await outcomes()).toEqual(first);
    });

    it('ends open watches after dropWatchesAfterMs and on dropAllWatches', async () => {
      const closed = (path: string) =>
        new Promise<void>((resolve) => {
          void new Watch(config).watch(path, {}, () => undefined, () => resolve());
        });
      server.faults({ dropWatchesAfterMs: 50 });
      await closed(`/api/v1/namespaces/${ns}/configmaps`);
      server.faults();
      const pending = closed(`/api/v1/namespaces/${ns}/pods`);
      await waitFor(() => server.calls.some((call) => call.verb === 'watch' && call.path.endsWith('/pods')));
      server.dropAllWatches();
      await pending;
    });

    it('records calls by verb and forgets everything on reset', async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'counted' } } });
      await failure(core.readNamespacedConfigMap({ name: 'absent', namespace: ns }));
      expect(server.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
        `POST /api/v1/namespaces/${ns}/configmaps 201`,
        `GET /api/v1/namespaces/${ns}/configmaps/absent 404`,
      ]);
      expect(server.callCounts()).toMatchObject({ create: 1, get: 1, list: 0 });
      server.reset();
      expect(server.calls).toHaveLength(0);
      expect(server.objects('ConfigMap')).toHaveLength(0);
      expect(server.objects('Namespace').map((namespace) => namespace.metadata.name)).toEqual(['default', ns]);
    });
  });
});
