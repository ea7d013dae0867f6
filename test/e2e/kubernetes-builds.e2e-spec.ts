import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CleanupQueue } from '#libs/queues';
import { BUILD_ID_LABEL, USER_LABEL } from '#libs/drivers';
import { KubeApiTestServer, Scenario, StoredObject } from '../support/kube-api-server/index.js';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { kubernetesEnvironment, startTestDeployer, TestDeployer, testEnvironment } from '../support/test-deployer.js';
import { TestUser, USERS, authorization, targetOf, writeUsersFile } from '../support/test-users.js';
import { exited, spawnWorker } from '../support/worker-process.js';

const START = '/system/api/v1/build/start';
const digestOf = () => `sha256:${randomBytes(32).toString('hex')}`;
const buildkitLog = ['#1 [internal] load build definition from Dockerfile', '#5 [3/3] RUN /bin/extend', 'extend: installing requests'];

/** Each test picks its Job's behaviour by the tag it builds, which the Job's buildctl arguments carry. */
const scenarios = new Map<string, Scenario>();
const scenarioFor = (job: StoredObject): Scenario | undefined => {
  const args = JSON.stringify((job as { spec?: unknown }).spec ?? {});
  for (const [tag, scenario] of scenarios) if (args.includes(`:${tag},push=true`)) return scenario;
  return undefined;
};

const user = (login: string, env: Record<string, string>): TestUser => ({
  uuid: randomBytes(8).toString('hex'),
  key: randomBytes(16).toString('hex'),
  login,
  env,
});

describe('builds on the kubernetes driver (Kubernetes API test server)', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  const dave = user(`dave${randomBytes(3).toString('hex')}`, { REGISTRY_SECRET: 'no-such-secret' });
  const erin = user(`erin${randomBytes(3).toString('hex')}`, { REGISTRY_SECRET: 'erin:pa55-w0rd' });
  let usersFile: string;
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);
  const kubeEnv = () => kubernetesEnvironment(server.kubeconfigPath, usersFile);

  beforeAll(async () => {
    await server.start();
    server.script(scenarioFor);
    usersFile = writeUsersFile([...Object.values(USERS), dave, erin]);
    deployer = await startTestDeployer({ worker: true, env: kubeEnv() });
  });
  afterAll(async () => {
    await deployer?.close();
    await server.stop();
  });
  afterEach(() => server.faults());

  const start = async (tag: string, scenario: Scenario, who: TestUser = USERS.alice, file = 'requests\n') => {
    scenarios.set(tag, scenario);
    const answer = await call(deployer.url, 'POST', START, {
      auth: authorization(who),
      json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(who, tag), kind: 'python', file: Buffer.from(file).toString('base64') },
    });
    expect(answer.status).toBe(200);
    return answer.body as { id: string; job_name: string };
  };
  /** The lists the shared watches start from: one item of what the deployer made. */
  const sharedLists = () =>
    server.calls.filter((c) => c.verb === 'list' && c.query.includes('limit=1') && decodeURIComponent(c.query).includes('app.kubernetes.io/managed-by=openserverless-deployer'));
  const jobsOf = (buildId: string) => server.objects('Job', 'nuvolaris').filter((j) => j.metadata.labels?.[BUILD_ID_LABEL] === buildId);

  it('builds in a Job, streams the BuildKit log and reports the digest', async () => {
    const digest = digestOf();
    const { id, job_name: jobName } = await start('k8s-ok', {
      outcome: 'succeed',
      logLines: buildkitLog,
      lineIntervalMs: 5,
      terminationMessage: JSON.stringify({ 'containerimage.digest': digest }),
    });
    const status = await waitForBuild(deployer.url, auth, id, 60_000);
    expect(status).toMatchObject({ state: 'succeeded', digest, job_name: jobName });

    const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth });
    expect(logs.body.lines).toEqual(expect.arrayContaining(buildkitLog));

    const [job] = jobsOf(id);
    expect(job.metadata.name).toBe(jobName);
    expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'openserverless-deployer', [USER_LABEL]: USERS.alice.login });
    const spec = (job as unknown as { spec: { activeDeadlineSeconds: number; ttlSecondsAfterFinished: number } }).spec;
    expect(spec.activeDeadlineSeconds).toBe(1800);
    expect(spec.ttlSecondsAfterFinished).toBe(86_400);
    const context = server.objects('ConfigMap', 'nuvolaris').find((c) => c.metadata.labels?.[BUILD_ID_LABEL] === id)!;
    expect(context.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Job', uid: job.metadata.uid })]);
    const data = (context as unknown as { data: Record<string, string> }).data;
    expect(data.Dockerfile).toMatch(/^FROM openserverless\/runtime-python:v3\.12$/m);
    expect(data['requirements.txt']).toBe('requests\n');
    const buildkitConf = server.objects('ConfigMap', 'nuvolaris').find((c) => c.metadata.name === 'nuvolaris-buildkitd-conf');
    expect((buildkitConf as unknown as { data: Record<string, string> }).data['buildkitd.toml']).toContain('nuvolaris-registry-svc:5000');
  });

  it("follows a build it creates through the worker's shared watches and its log: no watch of its own, no read of the Job, no list of its Pods", async () => {
    const digest = digestOf();
    const { id, job_name: jobName } = await start('k8s-calls', {
      outcome: 'succeed',
      logLines: buildkitLog,
      terminationMessage: JSON.stringify({ 'containerimage.digest': digest }),
    });
    expect(await waitForBuild(deployer.url, auth, id, 60_000)).toMatchObject({ state: 'succeeded', digest });
    const ofThisJob = server.calls.filter((c) => c.path.includes(jobName) || decodeURIComponent(c.query).includes(jobName));
    const count = (verb: string, resource: string) => ofThisJob.filter((c) => c.verb === verb && c.path.includes(`/${resource}`)).length;
    expect(count('watch', 'jobs')).toBe(0);
    expect(count('watch', 'pods')).toBe(0);
    expect(count('get', 'jobs')).toBe(0);
    expect(count('list', 'pods')).toBe(0);
    expect(ofThisJob.filter((c) => c.path.endsWith('/log'))).toHaveLength(1);
    // The shared watches select what the deployer made, in its namespace.
    const shared = server.calls.filter((c) => c.verb === 'watch' && decodeURIComponent(c.query).includes('app.kubernetes.io/managed-by=openserverless-deployer'));
    expect(shared.some((c) => c.path.endsWith('/namespaces/nuvolaris/jobs'))).toBe(true);
    expect(shared.some((c) => c.path.endsWith('/namespaces/nuvolaris/pods'))).toBe(true);
  });

  it('follows on its own, read afresh, once the shared watches lose their place (410 after a compaction); the next build shares again', async () => {
    const digest = digestOf();
    const steps = Array.from({ length: 12 }, (_, i) => `#${i} step`);
    const { id, job_name: jobName } = await start('k8s-gap', {
      outcome: 'succeed',
      logLines: steps,
      lineIntervalMs: 100,
      terminationMessage: JSON.stringify({ 'containerimage.digest': digest }),
    });
    const deadline = Date.now() + 30_000;
    const lines = async () => (await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[];
    while (!(await lines()).includes('#1 step') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // A write the shared watches do not select moves the revision past the last one they saw; the compaction then
    // makes that one expired, so reopening the dropped watches from it answers 410.
    server.seed('ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `unrelated-${randomBytes(3).toString('hex')}`, namespace: 'nuvolaris' } });
    server.compact();
    const listsBefore = sharedLists().length;
    server.dropAllWatches();
    expect(await waitForBuild(deployer.url, auth, id, 60_000)).toMatchObject({ state: 'succeeded', digest });
    const ofThisJob = server.calls.filter((c) => decodeURIComponent(c.query).includes(jobName));
    expect(ofThisJob.filter((c) => c.verb === 'list' && c.path.endsWith('/pods')).length).toBeGreaterThanOrEqual(1);
    expect(ofThisJob.filter((c) => c.verb === 'watch' && c.path.endsWith('/pods')).length).toBeGreaterThanOrEqual(1);
    expect((await lines()).filter((line) => steps.includes(line))).toEqual(steps);

    const next = await start('k8s-after-gap', { outcome: 'succeed', logLines: buildkitLog, terminationMessage: JSON.stringify({ 'containerimage.digest': digest }) });
    expect(await waitForBuild(deployer.url, auth, next.id, 60_000)).toMatchObject({ state: 'succeeded' });
    expect(sharedLists().length).toBeGreaterThan(listsBefore);
    expect(server.calls.filter((c) => c.verb === 'watch' && decodeURIComponent(c.query).includes(next.job_name))).toHaveLength(0);
  });

  it('fails with the BuildKit error at the end of the log', async () => {
    const error = 'ERROR: failed to solve: process "/bin/sh -c /bin/extend" did not complete successfully: exit code: 1';
    const { id } = await start('k8s-fail', { outcome: 'fail', exitCode: 1, logLines: [...buildkitLog, error] });
    const status = await waitForBuild(deployer.url, auth, id, 60_000);
    expect(status).toMatchObject({ state: 'failed', reason: 'BuildFailed' });
    expect(String(status.message)).toContain('exit code: 1');
    expect(status.log_tail).toEqual(expect.arrayContaining([error]));
  });

  // A kubelet reports ErrImagePull before it backs off, so either reason may come first.
  it.each([
    ['imagePullBackOff', /^(ErrImagePull|ImagePullBackOff)$/],
    ['errImagePull', /^ErrImagePull$/],
    ['createContainerConfigError', /^CreateContainerConfigError$/],
  ] as const)('fails on %s instead of hanging', async (outcome, reason) => {
    const { id } = await start(`k8s-${outcome.toLowerCase()}`, { outcome });
    const status = await waitForBuild(deployer.url, auth, id, 30_000);
    expect(status.state).toBe('failed');
    expect(String(status.reason)).toMatch(reason);
  });

  it('fails a build that outlives its deadline', async () => {
    const short = await startTestDeployer({ worker: true, env: { ...kubeEnv(), BUILD_TIMEOUT_SECONDS: '20' } });
    try {
      scenarios.set('k8s-deadline', { outcome: 'hang', logLines: ['#1 working'] });
      const answer = await call(short.url, 'POST', START, {
        auth,
        json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(USERS.alice, 'k8s-deadline'), kind: 'python' },
      });
      const status = await waitForBuild(short.url, auth, String(answer.body.id), 30_000);
      expect(status).toMatchObject({ state: 'failed', reason: 'DeadlineExceeded' });
    } finally {
      await short.close();
    }
  });

  it('fails with the API message when the API refuses the Job (4xx are not retried)', async () => {
    const refused = await startTestDeployer({ worker: true, env: { ...kubeEnv(), BUILD_CPU_LIMIT: 'a lot' } });
    try {
      const answer = await call(refused.url, 'POST', START, {
        auth,
        json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(USERS.alice, 'k8s-refused'), kind: 'python' },
      });
      const status = await waitForBuild(refused.url, auth, String(answer.body.id), 30_000);
      expect(status).toMatchObject({ state: 'failed', reason: 'KubernetesApiRejected' });
      expect(String(status.message)).toMatch(/cpu|quantity|limits/i);
      const posts = server.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/jobs') && c.status >= 400 && c.status < 500);
      expect(posts).toHaveLength(1);
    } finally {
      await refused.close();
    }
  });

  it('cancels a running build: the Job goes, the build fails as Cancelled', async () => {
    const { id } = await start('k8s-cancel', { outcome: 'hang', logLines: ['#1 working'] });
    const deadline = Date.now() + 20_000;
    while (jobsOf(id).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(jobsOf(id)).toHaveLength(1);
    const cancelled = await call(deployer.url, 'DELETE', `/system/api/v1/build/${id}`, { auth });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'failed', reason: 'Cancelled' });
    while (jobsOf(id).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(jobsOf(id)).toHaveLength(0);
    const again = await call(deployer.url, 'DELETE', `/system/api/v1/build/${id}`, { auth });
    expect(again.status).toBe(409);
  });

  it('fails clearly when the user REGISTRY_SECRET names a missing secret', async () => {
    const { id } = await start('k8s-nosecret', { outcome: 'succeed' }, dave);
    const status = await waitForBuild(deployer.url, authorization(dave), id, 30_000);
    expect(status).toMatchObject({ state: 'failed', reason: 'RegistrySecretMissing' });
    expect(String(status.message)).toContain('no-such-secret');
    expect(jobsOf(id)).toHaveLength(0);
  });

  it('turns user:password into a per-build dockerconfigjson Secret owned by the Job, shown nowhere', async () => {
    const digest = digestOf();
    const { id } = await start('k8s-creds', { outcome: 'succeed', terminationMessage: JSON.stringify({ 'containerimage.digest': digest }) }, erin);
    const status = await waitForBuild(deployer.url, authorization(erin), id, 30_000);
    expect(status.state).toBe('succeeded');
    const [job] = jobsOf(id);
    const secret = server
      .objects('Secret', 'nuvolaris')
      .find((s) => s.metadata.labels?.[BUILD_ID_LABEL] === id && s.metadata.name.startsWith('rs-'))!;
    expect(secret).toMatchObject({ type: 'kubernetes.io/dockerconfigjson' });
    expect(secret.metadata.ownerReferences).toEqual([expect.objectContaining({ uid: job.metadata.uid })]);
    const dockerConfig = Buffer.from((secret as unknown as { data: Record<string, string> }).data['.dockerconfigjson'], 'base64').toString();
    expect(dockerConfig).toContain('pa55-w0rd');
    const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth: authorization(erin) });
    for (const shown of [JSON.stringify(status), JSON.stringify(logs.body), JSON.stringify(job)]) expect(shown).not.toContain('pa55-w0rd');
    expect(await deployer.redis.exists(`${deployer.config.REDIS_PREFIX}:build:${id}:credentials`)).toBe(0);
  });

  it('rides out API faults: 500s, 429s and dropped watches', async () => {
    server.faults({ errorRate: 0.3, tooManyRequestsRate: 0.1, seed: 7 });
    const digest = digestOf();
    const { id } = await start('k8s-faults', {
      outcome: 'succeed',
      logLines: buildkitLog,
      lineIntervalMs: 50,
      terminationMessage: JSON.stringify({ 'containerimage.digest': digest }),
    });
    setTimeout(() => server.dropAllWatches(), 100);
    setTimeout(() => server.dropAllWatches(), 200);
    const status = await waitForBuild(deployer.url, auth, id, 60_000);
    expect(status).toMatchObject({ state: 'succeeded', digest });
    expect(jobsOf(id)).toHaveLength(1);
    expect(server.calls.some((c) => c.status === 500)).toBe(true);
  });

  it('re-attaches after a worker is killed mid-build: exactly one Job, one result', async () => {
    const workers: ChildProcess[] = [];
    const kube = await startTestDeployer({ env: kubeEnv() });
    try {
      const env = testEnvironment({ ...kubeEnv(), REDIS_PREFIX: kube.config.REDIS_PREFIX, USERS_FILE: usersFile });
      const digest = digestOf();
      scenarios.set('k8s-crash', {
        outcome: 'succeed',
        logLines: Array.from({ length: 20 }, (_, i) => `#${i} step`),
        lineIntervalMs: 200,
        terminationMessage: JSON.stringify({ 'containerimage.digest': digest }),
      });
      const answer = await call(kube.url, 'POST', START, {
        auth,
        json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(USERS.alice, 'k8s-crash'), kind: 'python' },
      });
      const id = String(answer.body.id);
      const first = spawnWorker(env);
      workers.push(first);
      const deadline = Date.now() + 30_000;
      const running = async () => (await call(kube.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[];
      while (!(await running()).includes('#2 step') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      first.kill('SIGKILL');
      await exited(first);
      workers.push(spawnWorker(env));
      const status = await waitForBuild(kube.url, auth, id, 90_000);
      expect(status).toMatchObject({ state: 'succeeded', digest });
      expect(jobsOf(id)).toHaveLength(1);
      const creates = server.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/jobs') && c.status === 201);
      expect(creates.filter((c) => c.path.includes('nuvolaris'))).toBeDefined();
      const log = (await kube.redis.xrange(`${kube.config.REDIS_PREFIX}:build:${id}:log`, '-', '+')) as [string, string[]][];
      expect(log.filter(([, fields]) => fields[0] === 'end')).toHaveLength(1);
    } finally {
      for (const worker of workers) {
        worker.kill('SIGKILL');
        await exited(worker);
      }
      await kube.close();
    }
  });

  it("cleans only the caller's finished Jobs, by label, with what they own", async () => {
    const mine = await start('k8s-clean-mine', { outcome: 'succeed', terminationMessage: JSON.stringify({ 'containerimage.digest': digestOf() }) });
    const theirs = await start(
      'k8s-clean-theirs',
      { outcome: 'succeed', terminationMessage: JSON.stringify({ 'containerimage.digest': digestOf() }) },
      USERS.aliceB,
    );
    await waitForBuild(deployer.url, auth, mine.id, 30_000);
    await waitForBuild(deployer.url, authorization(USERS.aliceB), theirs.id, 30_000);
    // Leftovers of a crash between a Job's deletion and its garbage collection: ours, without an owner.
    const labels = { 'app.kubernetes.io/managed-by': 'openserverless-deployer', [USER_LABEL]: USERS.alice.login, [BUILD_ID_LABEL]: 'orphan' };
    for (const [kind, body] of [
      ['configmaps', { metadata: { name: 'cm-orphan', labels }, data: { Dockerfile: 'FROM x' } }],
      ['secrets', { metadata: { name: 'rs-orphan', labels }, data: { token: 'eA==' } }],
    ] as const) {
      const created = await fetch(`${server.url}/api/v1/namespaces/nuvolaris/${kind}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(created.status).toBe(201);
    }
    const result = await deployer.worker!.get(CleanupQueue).runAndWait(
      { olderThan: Date.now() + 60_000, login: USERS.alice.login },
      30_000,
    );
    expect(result.error).toBeUndefined();
    expect(result.jobsDeleted).toBeGreaterThanOrEqual(1);
    const deadline = Date.now() + 5_000;
    while (server.objects('ConfigMap', 'nuvolaris').some((c) => c.metadata.labels?.[BUILD_ID_LABEL] === mine.id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(jobsOf(mine.id)).toHaveLength(0);
    expect(server.objects('Pod', 'nuvolaris').some((p) => p.metadata.labels?.['job-name'] === mine.job_name)).toBe(false);
    expect(server.objects('ConfigMap', 'nuvolaris').some((c) => c.metadata.labels?.[BUILD_ID_LABEL] === mine.id)).toBe(false);
    expect(jobsOf(theirs.id)).toHaveLength(1);
    expect(server.objects('ConfigMap', 'nuvolaris').some((c) => c.metadata.name === 'cm-orphan')).toBe(false);
    expect(server.objects('Secret', 'nuvolaris').some((c) => c.metadata.name === 'rs-orphan')).toBe(false);
  });

  it("pushes to the internal registry the Operator's ConfigMap announces, and reports its registry_host as the pull host", async () => {
    const created = await fetch(`${server.url}/api/v1/namespaces/nuvolaris/configmaps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'config', annotations: { registry_host: '127.0.0.1:32000', registry_internal_host: String(process.env.REGISTRY_HOST) } } }),
    });
    expect(created.status).toBe(201);
    const announced = await startTestDeployer({ env: { ...kubeEnv(), REGISTRY_HOST: '' } });
    try {
      expect(announced.config.REGISTRY_HOST).toBeUndefined();
      const answer = await call(announced.url, 'POST', START, {
        auth,
        json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(USERS.alice, 'k8s-announced'), kind: 'python' },
      });
      expect(answer.body.image).toBe(`127.0.0.1:32000/${USERS.alice.login}:k8s-announced`);
      expect(answer.body.push_image).toBe(`${process.env.REGISTRY_HOST}/${USERS.alice.login}:k8s-announced`);
    } finally {
      await announced.close();
    }
  });

  it('uses exactly the API the Role in deploy/ grants', () => {
    const role = parse(readFileSync(new URL('../../deploy/base/role.yaml', import.meta.url), 'utf8')) as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    const granted = new Set(role.rules.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${res}:${v}`))));
    const used = new Set(
      server.calls
        .filter((c) => c.path.includes('/namespaces/nuvolaris/'))
        // Faults the server injected are answered before routing, so they carry no verb.
        .filter((c) => !(c.verb === 'unknown' && [0, 429, 500].includes(c.status)))
        .map((c) => {
          const resource = c.path.split('/namespaces/nuvolaris/')[1].split('/');
          const name = resource.length >= 3 ? `${resource[0]}/${resource[2]}` : resource[0];
          return `${name}:${c.verb}`;
        }),
    );
    expect([...used].sort()).toEqual([...granted].sort());
  });
});
