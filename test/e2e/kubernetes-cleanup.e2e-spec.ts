import { randomBytes } from 'node:crypto';
import { buildJobName, newBuildId } from '#libs/builds';
import { CleanupJobResult, CleanupQueue } from '#libs/queues';
import { buildLabels, buildObjectNames } from '#libs/drivers';
import { KubeApiTestServer, Scenario, StoredObject } from '../support/kube-api-server/index.js';
import { call } from '../support/http-client.js';
import { kubernetesEnvironment, startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, authorization, writeUsersFile } from '../support/test-users.js';

type State = 'running' | 'succeeded' | 'failed';
interface SeededJob {
  login: string;
  name: string;
  context: string;
  state: State;
  old: boolean;
}

const HOUR = 3_600_000;
const OUTCOMES: Record<State, Scenario['outcome']> = { running: 'hang', succeeded: 'succeed', failed: 'fail' };
const STATES: State[] = ['running', 'succeeded', 'failed'];
const user = (login: string): TestUser => ({ uuid: randomBytes(8).toString('hex'), key: randomBytes(16).toString('hex'), login, env: {} });
/** Prefixes of each other, and two logins too long for a label that share their first 64 characters (hashed apart). */
const LOGINS = ['a', 'a-b', 'ab', `${'l'.repeat(64)}1`, `${'l'.repeat(64)}2`];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('cleanup of finished build Jobs (Kubernetes API test server)', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  const outcomes = new Map<string, Scenario['outcome']>();
  const abUser = user('a-b');
  let deployer: TestDeployer;
  let seeded: SeededJob[] = [];
  /** Whole seconds, as Kubernetes writes times: old Jobs ended an hour before, young ones 23 hours after. */
  const olderThan = Math.floor((Date.now() - 24 * HOUR) / 1000) * 1000;

  const kubeApi = async (method: string, path: string, body: unknown, contentType = 'application/json') => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': contentType },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as StoredObject;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };

  /** A build's Job as the driver labels and names it, its context ConfigMap owned by it; the job controller makes its Pod. */
  const createBuild = async (job: SeededJob, buildId: string) => {
    const labels = buildLabels({ login: job.login, buildId, kind: 'python' });
    outcomes.set(job.name, OUTCOMES[job.state]);
    const container = { name: 'buildkit', image: 'moby/buildkit:v0.17.3-rootless' };
    const spec = { backoffLimit: 0, template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [container] } } };
    const created = await kubeApi('POST', '/apis/batch/v1/namespaces/nuvolaris/jobs', { metadata: { name: job.name, labels }, spec });
    const owner = { apiVersion: 'batch/v1', kind: 'Job', name: job.name, uid: created.metadata.uid, controller: false, blockOwnerDeletion: false };
    await kubeApi('POST', '/api/v1/namespaces/nuvolaris/configmaps', { metadata: { name: job.context, labels, ownerReferences: [owner] }, data: { Dockerfile: 'FROM x' } });
  };

  /** Backdates a finished Job through its status subresource, as only a test on a real cluster could. */
  const backdate = async (job: StoredObject, endedAt: number) => {
    const status = job['status'] as { conditions?: Record<string, unknown>[]; completionTime?: string };
    const when = isoSeconds(endedAt);
    const conditions = (status.conditions ?? []).map((condition) => ({ ...condition, lastTransitionTime: when }));
    const patch = { status: { startTime: when, conditions, ...(status.completionTime ? { completionTime: when } : {}) } };
    await kubeApi('PATCH', `/apis/batch/v1/namespaces/nuvolaris/jobs/${job.metadata.name}/status`, patch, 'application/merge-patch+json');
  };

  const names = (kind: 'Job' | 'ConfigMap') => new Set(server.objects(kind, 'nuvolaris').map((o) => o.metadata.name));
  const podOwners = () => new Set(server.objects('Pod', 'nuvolaris').map((p) => p.metadata.labels?.['job-name']));
  const finished = (job: StoredObject) =>
    ((job['status'] as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True');

  /** Every combination of user, state and age, `perCombination` times; resolves once the finished ones are backdated. */
  const seed = async (perCombination: number, states: State[] = STATES): Promise<SeededJob[]> => {
    const jobs: SeededJob[] = [];
    for (let n = 0; n < perCombination; n++) {
      const batch = LOGINS.flatMap((login) =>
        states.flatMap((state) =>
          [true, false].map((old) => {
            const buildId = newBuildId();
            const name = buildJobName(login, buildId);
            jobs.push({ login, name, context: buildObjectNames(name).context, state, old });
            return createBuild(jobs[jobs.length - 1], buildId);
          }),
        ),
      );
      await Promise.all(batch);
    }
    const deadline = Date.now() + 60_000;
    const ending = new Set(jobs.filter((j) => j.state !== 'running').map((j) => j.name));
    let done: StoredObject[] = [];
    while ((done = server.objects('Job', 'nuvolaris').filter((j) => ending.has(j.metadata.name) && finished(j))).length < ending.size) {
      if (Date.now() > deadline) throw new Error(`only ${done.length} of ${ending.size} seeded Jobs finished`);
      await sleep(50);
    }
    const byName = new Map(jobs.map((j) => [j.name, j]));
    await Promise.all(done.map((job, i) => backdate(job, byName.get(job.metadata.name)!.old ? olderThan - HOUR - i * 1000 : olderThan + 23 * HOUR)));
    return jobs;
  };

  /** Waits for the garbage collector, then checks each Job, its Pod and its ConfigMap are there exactly when expected. */
  const expectOnlyLeft = async (expected: SeededJob[]) => {
    const keep = new Set(expected.map((j) => j.name));
    const gone = seeded.filter((j) => !keep.has(j.name));
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
      const [configMaps, pods] = [names('ConfigMap'), podOwners()];
      if (!gone.some((j) => configMaps.has(j.context) || pods.has(j.name))) break;
    }
    const [jobs, configMaps, pods] = [names('Job'), names('ConfigMap'), podOwners()];
    expect(seeded.filter((j) => jobs.has(j.name)).map((j) => j.name).sort()).toEqual([...keep].sort());
    expect(gone.filter((j) => configMaps.has(j.context) || pods.has(j.name))).toEqual([]);
    expect(expected.filter((j) => !configMaps.has(j.context) || !pods.has(j.name))).toEqual([]);
  };

  const cleanup = (login?: string): Promise<CleanupJobResult> => deployer.worker!.get(CleanupQueue).runAndWait({ olderThan, login }, 60_000);
  const deletable = (j: SeededJob) => j.old && j.state !== 'running';

  const scrape = async () => {
    const text = (await call(deployer.url, 'GET', '/system/metrics')).text;
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    return {
      complete: value('deployer_cleanup_runs_total{outcome="complete"}'),
      partial: value('deployer_cleanup_runs_total{outcome="partial"}'),
      jobs: value('deployer_cleanup_deleted_total{what="jobs"}'),
      records: value('deployer_cleanup_deleted_total{what="records"}'),
    };
  };

  beforeAll(async () => {
    await server.start();
    server.script((job) => ({ outcome: outcomes.get(job.metadata.name) ?? 'succeed', logLines: [], startDelayMs: 0 }));
    deployer = await startTestDeployer({
      worker: true,
      env: { ...kubernetesEnvironment(server.kubeconfigPath, writeUsersFile([abUser])), KUBE_API_RETRIES: '1' },
    });
    seeded = await seed(10);
  });
  afterAll(async () => {
    await deployer?.close();
    await server.stop();
  });

  it('seeds 300 build Jobs, each with its Pod and its ConfigMap', async () => {
    expect(seeded).toHaveLength(300);
    await expectOnlyLeft(seeded);
  });

  it("a user's cleanup deletes that user's old finished Jobs and nobody else's, even for prefixes and hashed logins", async () => {
    let left = seeded;
    for (const login of ['a', LOGINS[3]]) {
      const result = await cleanup(login);
      expect(result).toEqual({ jobsDeleted: seeded.filter((j) => j.login === login && deletable(j)).length, recordsDeleted: 0 });
      left = left.filter((j) => j.login !== login || !deletable(j));
      await expectOnlyLeft(left);
    }
  });

  it('POST /build/cleanup does the same for the caller alone', async () => {
    const answer = await call(deployer.url, 'POST', '/system/api/v1/build/cleanup', { auth: authorization(abUser), json: { max_age_hours: 24 } });
    expect(answer.status).toBe(200);
    expect(answer.body.deleted).toBe(20);
    await expectOnlyLeft(seeded.filter((j) => !deletable(j) || !['a', 'a-b', LOGINS[3]].includes(j.login)));
  });

  it("every user's cleanup leaves only running and young Jobs, and is counted", async () => {
    const before = await scrape();
    const result = await cleanup();
    expect(result).toEqual({ jobsDeleted: 40, recordsDeleted: 0 });
    await expectOnlyLeft(seeded.filter((j) => !deletable(j)));
    expect(await scrape()).toEqual({ ...before, complete: before.complete + 1, jobs: before.jobs + 40 });
    expect(await cleanup()).toEqual({ jobsDeleted: 0, recordsDeleted: 0 });
  });

  it('an API failure midway leaves the rest for the next run and reports the partial count', async () => {
    server.reset();
    server.script((job) => ({ outcome: outcomes.get(job.metadata.name) ?? 'succeed', logLines: [], startDelayMs: 0 }));
    seeded = await seed(6, ['succeeded', 'failed']);
    const old = seeded.filter(deletable);
    const before = await scrape();
    const jobDeletes = () => server.calls.filter((c) => c.method === 'DELETE' && c.path.includes('/jobs/'));
    server.faults({ errorRate: 1, passFirst: 25, match: (method, path) => method === 'DELETE' && path.includes('/jobs/') });

    const partial = await cleanup();
    expect(partial.error).toMatch(/injected fault/);
    expect(partial.jobsDeleted).toBe(25);
    expect(jobDeletes().filter((c) => c.status === 200)).toHaveLength(25);
    expect(names('Job').size).toBe(seeded.length - 25);

    server.faults();
    expect(await cleanup()).toEqual({ jobsDeleted: old.length - 25, recordsDeleted: 0 });
    await expectOnlyLeft(seeded.filter((j) => !j.old));
    const after = await scrape();
    expect(after).toEqual({ complete: before.complete + 1, partial: before.partial + 1, jobs: before.jobs + old.length, records: before.records });
  });
});
