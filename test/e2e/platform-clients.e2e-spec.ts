import { createHash, randomBytes } from 'node:crypto';
import { BUILD_IDENTITY_LABEL } from '#libs/runtimes';
import { ensureBuildId } from '#libs/builds';
import { KubeApiTestServer, Scenario, StoredObject } from '../support/kube-api-server/index.js';
import { waitForBuild } from '../support/build-waiter.js';
import { runCli } from '../support/cli-runner.js';
import { call } from '../support/http-client.js';
import { inspectImage } from '../support/registry-inspector.js';
import { kubernetesEnvironment, startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, USERS, authorization, targetOf, writeUsersFile } from '../support/test-users.js';

/**
 * Every client of the build service that exists, each replayed as it really
 * behaves: the headers it sends, the body it builds, the status it calls
 * success and the fields it reads back.
 */
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const rawKey = (u: TestUser) => `${u.uuid}:${u.key}`;
/** What the ensure client accepts as an action image (task PR #215's IMAGE_REFERENCE). */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,511}$/;
/** What `ops ide build` (image-build.ts) accepts as the Job to watch. */
const JOB_NAME = /^build-[a-z0-9-]+$/;
const PULL_HOST = '127.0.0.1:32000';
const pushHost = () => String(process.env.REGISTRY_HOST);
const base = () => String(process.env.BASE_IMAGE);
/** The deployer's own records (queue bookkeeping moves on its own while workers run). */
const recordKeys = async (d: TestDeployer) => (await d.keys()).filter((k) => /:(build|user|claim|existing):/.test(k)).sort();
const catalog = () => JSON.stringify({ 'python:test': { kind: 'python', source: base() }, 'nodejs:test': { kind: 'nodejs', source: base() } });

/**
 * The ensure client of task PR #215 (ide/deploy/builder.js): raw `uuid:key`,
 * 200 or 202 is fine, polls `GET /build/{id}` every 2 s while queued or
 * running, a failed state ends it with its message, then reads `image`.
 * Bounded: at most `polls` polls.
 */
async function ensureClient(url: string, auth: string, builder: string, file: Buffer, polls = 90) {
  const first = await call(url, 'POST', '/system/api/v1/build/ensure', { auth, json: { builder, file: file.toString('base64') } });
  if (first.status !== 200 && first.status !== 202) return { first, final: first.body, polled: 0 };
  let state = first.body;
  let polled = 0;
  while ((state.state === 'queued' || state.state === 'running') && polled < polls) {
    if (!state.id) throw new Error('response has no build id');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const status = await call(url, 'GET', `/system/api/v1/build/${String(state.id)}`, { auth });
    polled++;
    state = status.body;
    if (status.status !== 200 && status.status !== 202 && state.state !== 'failed') throw new Error(String(state.message));
  }
  return { first, final: state, polled };
}

describe('the clients of the build service (local driver, real registry and BuildKit)', () => {
  let deployer: TestDeployer;
  const alice = USERS.alice;
  const login = alice.login.toLowerCase();

  beforeAll(async () => {
    deployer = await startTestDeployer({
      worker: true,
      env: { REGISTRY_PUSH_HOST: pushHost(), REGISTRY_PULL_HOST: PULL_HOST, BUILDER_CATALOG_JSON: catalog() },
    });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it('ops ide deploy: Basic auth, <user>:<kind>-<version>-<md5>, HTTP 200 only, top-level job_name/id; the action runs on the pull host', async () => {
    const file = Buffer.from(`requests==2.32.3\n# ${randomBytes(4).toString('hex')}\n`);
    const target = targetOf(alice, `python-v3.12-${md5(file)}`);
    const send = () =>
      call(deployer.url, 'POST', '/system/api/v1/build/start', {
        auth: authorization(alice, 'basic'),
        json: { source: base(), target, kind: 'python', file: file.toString('base64') },
      });
    const answer = await send();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ok', id: expect.any(String), job_name: expect.stringMatching(JOB_NAME) });
    const status = await waitForBuild(deployer.url, authorization(alice), String(answer.body.id));
    expect(status).toMatchObject({ state: 'succeeded', image: `${PULL_HOST}/${target}`, push_image: `${pushHost()}/${target}` });
    const [repository, tag] = target.split(':');
    expect((await inspectImage(pushHost(), repository, tag))?.digest).toBe(status.digest);

    // Deploying again: the image exists, and the answer is still exactly 200 (202 would be a failure for it).
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ state: 'succeeded', image: `${PULL_HOST}/${target}`, job_name: expect.stringMatching(JOB_NAME) });
  });

  it('task builder:send and builder:clean: raw uuid:key, ADMIN_API_URL ending in /system, "file": "", max_age_hours as a string', async () => {
    const adminApiUrl = `${deployer.url}/system`;
    const target = targetOf(alice, `task-send-${randomBytes(3).toString('hex')}`);
    // echo '{"source": …, "target": …, "kind": …, "file": "{{.REQUIREMENTS}}" }' | curl -X POST $ADMIN_API_URL/api/v1/build/start
    const body = `{"source": "${base()}", "target": "${target}", "kind": "python", "file": "" }`;
    const sent = await call(adminApiUrl, 'POST', '/api/v1/build/start', { auth: rawKey(alice), body });
    expect(sent.status).toBe(200);
    expect(sent.body.message).toMatch(/^Build process initiated successfully\./);
    expect(await waitForBuild(deployer.url, rawKey(alice), String(sent.body.id))).toMatchObject({ state: 'succeeded' });

    const cleaned = await call(adminApiUrl, 'POST', '/api/v1/build/cleanup', { auth: rawKey(alice), body: '{"max_age_hours": "0" }' });
    expect(cleaned.status).toBe(200);
    expect(cleaned.body.message).toMatch(/^Cleaned up [1-9]\d* jobs successfully\.$/);
    expect((await call(deployer.url, 'GET', `/system/api/v1/build/${String(sent.body.id)}`, { auth: rawKey(alice) })).status).toBe(404);
  });

  it('our CLI takes ADMIN_API_URL with or without /system', async () => {
    for (const url of [`${deployer.url}/system`, `${deployer.url}/system/`, deployer.url]) {
      const result = await runCli(['clean', '--max-age-hours', '0'], { ADMIN_API_URL: url, AUTH: rawKey(alice) });
      expect({ url, code: result.code, stderr: result.stderr }).toEqual({ url, code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Cleaned up \d+ jobs successfully\.$/m);
    }
  });

  describe('the ensure client (task PR #215)', () => {
    it('lists the catalog', async () => {
      const answer = await call(deployer.url, 'GET', '/system/api/v1/build/capabilities', { auth: rawKey(alice) });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        status: 'ok',
        message: expect.any(String),
        builders: [{ id: 'nodejs:test', kind: 'nodejs' }, { id: 'python:test', kind: 'python' }],
      });
    });

    it('refuses bad requests with 4xx JSON and stores nothing', async () => {
      const before = await recordKeys(deployer);
      const cases: [unknown, number, RegExp][] = [
        [{ builder: 'python:nope', file: '' }, 400, /Unknown builder python:nope/],
        [{ builder: 'Not A Builder' }, 400, /builder must be a builder id/],
        [{ file: 'cmVxdWVzdHMK' }, 400, /builder is required/],
        [{ builder: 'python:test', file: '!!!' }, 400, /./],
        [{ builder: 'python:test', retry: 'yes' }, 400, /retry must be a boolean/],
        [{ builder: 'nodejs:test', file: Buffer.from('{not json').toString('base64') }, 400, /./],
      ];
      for (const [json, code, message] of cases) {
        const answer = await call(deployer.url, 'POST', '/system/api/v1/build/ensure', { auth: rawKey(alice), json });
        expect({ json, status: answer.status, ko: answer.body.status }).toEqual({ json, status: code, ko: 'ko' });
        expect(String(answer.body.message)).toMatch(message);
      }
      for (const malformed of ['A'.repeat(64), `${'a'.repeat(63)}g`, `${'a'.repeat(63)}-`]) {
        expect((await call(deployer.url, 'GET', `/system/api/v1/build/${malformed}`, { auth: rawKey(alice) })).status).toBe(400);
      }
      expect((await call(deployer.url, 'GET', `/system/api/v1/build/${'a'.repeat(64)}`, { auth: rawKey(alice) })).status).toBe(404);
      expect((await call(deployer.url, 'POST', '/system/api/v1/build/ensure', { json: { builder: 'python:test' } })).status).toBe(401);
      expect(await recordKeys(deployer)).toEqual(before);
    });

    it('gets 202, polls every 2 s, reads the pull reference; the same content answers 200 at once, here and on a replica that lost every record', async () => {
      const file = Buffer.from(`six==1.16.0\n# ${randomBytes(4).toString('hex')}\n`);
      const { first, final, polled } = await ensureClient(deployer.url, rawKey(alice), 'python:test', file);
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ status: 'ok', message: 'Build queued', id: expect.stringMatching(/^[0-9a-f]{64}$/), state: 'queued', image: null });
      expect(first.body.job_name).toMatch(JOB_NAME);
      expect(polled).toBeGreaterThan(0);
      const id = String(first.body.id);
      const tag = `python-${id.slice(0, 20)}`;
      expect(final).toMatchObject({ state: 'succeeded', id, image: `${PULL_HOST}/${login}:${tag}`, push_image: `${pushHost()}/${login}:${tag}` });
      expect(String(final.image)).toMatch(IMAGE_REFERENCE);
      const pushed = await inspectImage(pushHost(), login, tag);
      expect(pushed?.labels[BUILD_IDENTITY_LABEL]).toMatch(/^[0-9a-f]{64}$/);

      const again = await call(deployer.url, 'POST', '/system/api/v1/build/ensure', { auth: rawKey(alice), json: { builder: 'python:test', file: file.toString('base64') } });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id, state: 'succeeded', image: final.image });

      // Another replica on a Redis without any of these records: the registry still has the image.
      const amnesiac = await startTestDeployer({ env: { REGISTRY_PUSH_HOST: pushHost(), REGISTRY_PULL_HOST: PULL_HOST, BUILDER_CATALOG_JSON: catalog() } });
      try {
        const fresh = await ensureClient(amnesiac.url, rawKey(alice), 'python:test', file, 0);
        expect(fresh.first.status).toBe(200);
        expect(fresh.final).toMatchObject({ id, state: 'succeeded', image: final.image, digest: pushed?.digest });
        const status = await call(amnesiac.url, 'GET', `/system/api/v1/build/${id}`, { auth: rawKey(alice) });
        expect({ status: status.status, state: status.body.state }).toEqual({ status: 200, state: 'succeeded' });
      } finally {
        await amnesiac.close();
      }
      // And one asked for the status alone, before any ensure call: the image's labels answer.
      const forgetful = await startTestDeployer({ env: { REGISTRY_PUSH_HOST: pushHost(), REGISTRY_PULL_HOST: PULL_HOST, BUILDER_CATALOG_JSON: catalog() } });
      try {
        const status = await call(forgetful.url, 'GET', `/system/api/v1/build/${id}`, { auth: rawKey(alice) });
        expect(status.status).toBe(200);
        expect(status.body).toMatchObject({ id, state: 'succeeded', image: final.image, digest: pushed?.digest });
        const other = await call(forgetful.url, 'GET', `/system/api/v1/build/${id}`, { auth: rawKey(USERS.bob) });
        expect(other.status).toBe(404);
      } finally {
        await forgetful.close();
      }

      // Scoped to the caller like every build route.
      const bob = await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth: rawKey(USERS.bob) });
      expect(bob).toMatchObject({ status: 404, body: { status: 'ko', message: `Build ${id} not found` } });
    });

    it('ends on 409 with the reason of a failed build; retry:false keeps the failure, retry starts a new run', async () => {
      const file = Buffer.from(`# extend: fail\n# ${randomBytes(4).toString('hex')}\n`);
      const { final } = await ensureClient(deployer.url, rawKey(alice), 'python:test', file);
      expect(final).toMatchObject({ status: 'ko', state: 'failed', reason: expect.any(String), message: expect.any(String), image: null });
      const id = String(final.id);
      const status = await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth: rawKey(alice) });
      expect(status.status).toBe(409);

      const json = { builder: 'python:test', file: file.toString('base64') };
      const kept = await call(deployer.url, 'POST', '/system/api/v1/build/ensure', { auth: rawKey(alice), json: { ...json, retry: false } });
      expect(kept).toMatchObject({ status: 409, body: { id, state: 'failed', job_name: final.job_name } });
      const retried = await call(deployer.url, 'POST', '/system/api/v1/build/ensure', { auth: rawKey(alice), json });
      expect(retried).toMatchObject({ status: 202, body: { id, state: 'queued' } });
      expect(retried.body.job_name).not.toBe(final.job_name);
      expect(retried.body.job_name).toMatch(JOB_NAME);
      expect(await waitForBuild(deployer.url, rawKey(alice), id)).toMatchObject({ state: 'failed', job_name: retried.body.job_name });
    });

  });

  it('BUILD_SOURCES_FROM_CATALOG restricts build/start to the images of the catalog', async () => {
    const strict = await startTestDeployer({ env: { BUILDER_CATALOG_JSON: catalog(), BUILD_SOURCES_FROM_CATALOG: 'true' } });
    try {
      const outside = await call(strict.url, 'POST', '/system/api/v1/build/start', {
        auth: rawKey(alice),
        json: { source: 'library/busybox:1.36', target: targetOf(alice, 'outside'), kind: 'python' },
      });
      expect(outside).toMatchObject({ status: 403, body: { status: 'ko', message: expect.stringMatching(/BUILD_SOURCES_FROM_CATALOG/) } });
      expect(await recordKeys(strict)).toEqual([]);
      const inside = await call(strict.url, 'POST', '/system/api/v1/build/start', {
        auth: rawKey(alice),
        json: { source: base(), target: targetOf(alice, `inside-${randomBytes(3).toString('hex')}`), kind: 'python' },
      });
      expect(inside.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('ops ide build and the Operator registry annotations (kubernetes driver, Kubernetes API test server)', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  let deployer: TestDeployer;
  const alice = USERS.alice;
  const seed = (path: string, object: unknown) =>
    fetch(`${server.url}/api/v1/namespaces/nuvolaris/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(object),
    });
  const jobNamed = (name: string) => server.objects('Job', 'nuvolaris').find((j: StoredObject) => j.metadata.name === name);
  const scenarios = new Map<string, Scenario>();
  const jobSpec = (job: StoredObject | undefined) => JSON.stringify((job as { spec?: unknown } | undefined)?.spec ?? {});

  beforeAll(async () => {
    await server.start();
    server.script((job) => {
      const args = jobSpec(job);
      for (const [marker, scenario] of scenarios) if (args.includes(marker)) return scenario;
      return { outcome: 'succeed', terminationMessage: JSON.stringify({ 'containerimage.digest': `sha256:${'1'.repeat(64)}` }) };
    });
    const annotations = { registry_host: PULL_HOST, registry_internal_host: pushHost() };
    expect((await seed('configmaps', { metadata: { name: 'config', annotations } })).status).toBe(201);
    const dockerConfig = Buffer.from(JSON.stringify({ auths: { [pushHost()]: { auth: Buffer.from('push:secret').toString('base64') } } })).toString('base64');
    const secret = { metadata: { name: 'registry-pull-secret-int' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerConfig } };
    expect((await seed('secrets', secret)).status).toBe(201);
    const env = { ...kubernetesEnvironment(server.kubeconfigPath, writeUsersFile()), REGISTRY_HOST: '', BUILDER_CATALOG_JSON: catalog() };
    deployer = await startTestDeployer({ worker: true, env });
  });
  afterAll(async () => {
    await deployer?.close();
    await server.stop();
  });

  it('reads job_name at the top level or under data, and finds the Job of that name pushing to the internal host', async () => {
    const target = targetOf(alice, `ide-build-${randomBytes(3).toString('hex')}`);
    const answer = await call(deployer.url, 'POST', '/system/api/v1/build/start', {
      auth: authorization(alice),
      json: { source: base(), target, kind: 'python', file: Buffer.from('requests\n').toString('base64') },
    });
    expect(answer.status).toBe(200);
    const jobName = String(answer.body.job_name ?? (answer.body.data as { job_name?: string }).job_name);
    expect(jobName).toMatch(JOB_NAME);
    expect((answer.body.data as { job_name: string }).job_name).toBe(jobName);
    expect(answer.body).toMatchObject({ image: `${PULL_HOST}/${target}`, push_image: `${pushHost()}/${target}` });

    const status = await waitForBuild(deployer.url, authorization(alice), String(answer.body.id), 60_000);
    expect(status).toMatchObject({ state: 'succeeded', job_name: jobName, image: `${PULL_HOST}/${target}` });
    const job = jobNamed(jobName);
    expect(job).toBeDefined();
    // BuildKit pushes through the build pod's registry proxy, whose one upstream is the internal host.
    expect(jobSpec(job)).toContain(`name=127.0.0.1:15000/${target},push=true`);
    expect(jobSpec(job)).toContain(`"--upstream","${pushHost()}"`);
    expect(jobSpec(job)).not.toContain(PULL_HOST);
    expect(jobSpec(job)).toContain('"secretName":"registry-pull-secret-int"');
  });

  it('ensure: the id and Job name are the content address, the same from another replica', async () => {
    const content = Buffer.from(`requests\n# ${randomBytes(4).toString('hex')}\n`);
    const id = ensureBuildId({ builder: 'python:test', kind: 'python', source: base(), file: content });
    // This build fails, so every later answer, whenever it comes, names the same run.
    scenarios.set(`:python-${id.slice(0, 20)},push=true`, { outcome: 'fail', logLines: ['extend: no such package'] });
    const json = { builder: 'python:test', file: content.toString('base64'), retry: false };
    const first = await call(deployer.url, 'POST', '/system/api/v1/build/ensure', { auth: rawKey(alice), json });
    expect(first.status).toBe(202);
    expect(first.body.id).toBe(id);
    const jobName = String(first.body.job_name);
    expect(jobName).toMatch(JOB_NAME);
    const replica = await startTestDeployer({
      env: { ...kubernetesEnvironment(server.kubeconfigPath, writeUsersFile()), REGISTRY_HOST: '', BUILDER_CATALOG_JSON: catalog(), REDIS_PREFIX: deployer.config.REDIS_PREFIX },
    });
    try {
      const second = await call(replica.url, 'POST', '/system/api/v1/build/ensure', { auth: rawKey(alice), json });
      expect([202, 409]).toContain(second.status);
      expect(second.body).toMatchObject({ id, job_name: jobName });
    } finally {
      // Not close(): that would empty the Redis prefix both replicas share.
      await replica.stop();
    }
    expect(await waitForBuild(deployer.url, rawKey(alice), id, 60_000)).toMatchObject({ state: 'failed', job_name: jobName });
    expect(jobNamed(jobName)).toBeDefined();
  });
});
