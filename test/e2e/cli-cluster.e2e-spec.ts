import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUILD_ID_LABEL, buildLabels } from '#libs/drivers';
import { runCli } from '../support/cli-runner.js';
import { KubeApiTestServer, Scenario, StoredObject } from '../support/kube-api-server/index.js';

const NAMESPACE = 'nuvolaris';
const CONF_MAP = 'nuvolaris-buildkitd-conf';

type JobObject = StoredObject & { status?: { active?: number; conditions?: { type: string; status: string }[] } };
type ConfigMapObject = StoredObject & { data?: Record<string, string> };

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const finished = (job: JobObject) =>
  (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

describe('the cluster commands of the command line (Kubernetes API test server)', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  const scenarios = new Map<string, Scenario>();
  let workdir: string;
  const env = () => ({ KUBECONFIG: server.kubeconfigPath, KUBE_NAMESPACE: NAMESPACE, KUBE_API_RETRY_BASE_MS: '10' });

  beforeAll(async () => {
    await server.start();
    server.script((job) => scenarios.get(job.metadata.name));
    workdir = mkdtempSync(join(tmpdir(), 'deployer-cli-cluster-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const created = (await response.json()) as StoredObject;
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(created)}`);
    return created;
  };
  const createJob = (name: string, labels: Record<string, string>, scenario: Scenario) => {
    scenarios.set(name, scenario);
    return post(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, labels },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'buildkit', image: 'moby/buildkit:v0.17.3-rootless' }] } },
      },
    });
  };
  const createConfigMap = (name: string, labels: Record<string, string>, owner?: StoredObject) =>
    post(`/api/v1/namespaces/${NAMESPACE}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        labels,
        ...(owner
          ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] }
          : {}),
      },
      data: { Dockerfile: 'FROM scratch\n' },
    });
  const jobs = () => server.objects('Job', NAMESPACE) as JobObject[];
  const job = (name: string) => jobs().find((j) => j.metadata.name === name);
  const hasFinished = (name: string) => {
    const current = job(name);
    return current && finished(current) ? true : undefined;
  };
  const configMap = (name: string) => server.objects('ConfigMap', NAMESPACE).find((c) => c.metadata.name === name) as ConfigMapObject | undefined;

  describe('updatetoml', () => {
    it('has --help', async () => {
      const result = await runCli(['updatetoml', '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: deployer updatetoml/);
      expect(result.stdout).toMatch(/--file <path>/);
    });

    it('creates the BuildKit ConfigMap from the file, then replaces it', async () => {
      expect(configMap(CONF_MAP)).toBeUndefined();
      const first = join(workdir, 'first.toml');
      writeFileSync(first, '[registry."r1:5000"]\n  http = true\n');
      const created = await runCli(['updatetoml', '--file', first], env());
      expect(created).toMatchObject({ code: 0, stdout: `updated ConfigMap ${CONF_MAP} in ${NAMESPACE}\n` });
      const made = configMap(CONF_MAP);
      expect(made?.data).toEqual({ 'buildkitd.toml': readFileSync(first, 'utf8') });
      expect(made?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'openserverless-deployer' });

      const second = join(workdir, 'second.toml');
      writeFileSync(second, '[registry."r2:5000"]\n  insecure = true\n');
      const replaced = await runCli(['updatetoml', '--file', second], env());
      expect(replaced.code).toBe(0);
      const now = configMap(CONF_MAP);
      expect(now?.data).toEqual({ 'buildkitd.toml': readFileSync(second, 'utf8') });
      expect(now?.metadata.uid).toBe(made?.metadata.uid);
      expect(Number(now?.metadata.resourceVersion)).toBeGreaterThan(Number(made?.metadata.resourceVersion));
      const writes = server.calls.filter((c) => c.path.endsWith(`/configmaps/${CONF_MAP}`) && c.method === 'PUT');
      expect(writes.map((c) => c.status)).toEqual([404, 200]);
      expect(server.objects('ConfigMap', NAMESPACE).filter((c) => c.metadata.name === CONF_MAP)).toHaveLength(1);
    });

    it('takes deploy/buildkit/buildkitd.toml by default', async () => {
      const result = await runCli(['updatetoml'], env());
      expect(result.code).toBe(0);
      expect(configMap(CONF_MAP)?.data?.['buildkitd.toml']).toBe(readFileSync('deploy/buildkit/buildkitd.toml', 'utf8'));
    });

    it('exits 1 and leaves the ConfigMap alone when the file cannot be read', async () => {
      const before = configMap(CONF_MAP)?.metadata.resourceVersion;
      const result = await runCli(['updatetoml', '--file', join(workdir, 'missing.toml')], env());
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: .*missing\.toml/m);
      expect(configMap(CONF_MAP)?.metadata.resourceVersion).toBe(before);
    });
  });

  describe('cleanjobs', () => {
    const run = randomBytes(3).toString('hex');
    const labelsOf = (login: string, buildId: string) => buildLabels({ login, buildId, kind: 'python' });
    const names = {
      succeeded: `build-alice-${run}-ok`,
      failed: `build-bob-${run}-ko`,
      running: `build-alice-${run}-run`,
      unlabelled: `someone-${run}-done`,
      foreign: `foreign-${run}-done`,
      orphan: `cm-bob-${run}-orphan`,
      context: `cm-alice-${run}-ok`,
    };

    it('has --help', async () => {
      const result = await runCli(['cleanjobs', '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: deployer cleanjobs/);
      expect(result.stdout).toMatch(/--max-age-hours <hours>/);
    });

    it('deletes the finished Jobs the deployer labelled, and leaves running and foreign Jobs alone', async () => {
      const succeeded = await createJob(names.succeeded, labelsOf('alice', `${run}-ok`), { outcome: 'succeed', logLines: ['done'] });
      const failed = await createJob(names.failed, labelsOf('bob', `${run}-ko`), { outcome: 'fail', exitCode: 1 });
      await createJob(names.running, labelsOf('alice', `${run}-run`), { outcome: 'hang' });
      await createJob(names.unlabelled, {}, { outcome: 'succeed' });
      await createJob(names.foreign, { 'app.kubernetes.io/managed-by': 'someone-else', [BUILD_ID_LABEL]: `${run}-x` }, { outcome: 'succeed' });
      await createConfigMap(names.context, labelsOf('alice', `${run}-ok`), succeeded);
      await createConfigMap(names.orphan, labelsOf('bob', `${run}-orphan`));

      for (const name of [names.succeeded, names.failed, names.unlabelled, names.foreign]) {
        await eventually(() => hasFinished(name), `${name} to finish`);
      }
      await eventually(() => ((job(names.running)?.status?.active ?? 0) > 0 ? true : undefined), 'the hanging Job to run');

      const young = await runCli(['cleanjobs', '--max-age-hours', '1'], env());
      expect(young).toMatchObject({ code: 0, stdout: 'deleted 0 jobs and 0 leftover objects\n' });
      expect(jobs()).toHaveLength(5);

      const result = await runCli(['cleanjobs'], { ...env(), MAX_AGE_HOURS: '0' });
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ code: 0, stdout: 'deleted 2 jobs and 1 leftover objects\n' });
      expect(jobs().map((j) => j.metadata.name).sort()).toEqual([names.foreign, names.running, names.unlabelled].sort());
      expect(finished(job(names.running)!)).toBe(false);
      expect(configMap(names.orphan)).toBeUndefined();

      // Background propagation: the Pods and the context ConfigMap go with their Job.
      const deletedUids = [succeeded.metadata.uid, failed.metadata.uid];
      const ownedByDeleted = () =>
        [...server.objects('Pod', NAMESPACE), ...server.objects('ConfigMap', NAMESPACE)].filter((o) =>
          (o.metadata.ownerReferences ?? []).some((r) => deletedUids.includes(r.uid)),
        );
      await eventually(() => (ownedByDeleted().length === 0 ? true : undefined), 'dependents of the deleted Jobs to go');
      expect(configMap(names.context)).toBeUndefined();
      const running = job(names.running)?.metadata.uid;
      expect(server.objects('Pod', NAMESPACE).filter((p) => p.metadata.ownerReferences?.[0]?.uid === running)).toHaveLength(1);
    });

    it('exits 1 and says so when the API fails midway', async () => {
      const leftover = await createJob(`build-carol-${run}-left`, labelsOf('carol', `${run}-left`), { outcome: 'succeed' });
      await eventually(() => hasFinished(leftover.metadata.name), 'the Job to finish');
      server.faults({ errorRate: 1, match: (method, path) => method === 'GET' && path.endsWith('/jobs') });
      try {
        const result = await runCli(['cleanjobs'], { ...env(), KUBE_API_RETRIES: '1' });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^error: stopped early: /m);
        expect(job(leftover.metadata.name)).toBeDefined();
      } finally {
        server.faults();
      }
    });
  });
});
