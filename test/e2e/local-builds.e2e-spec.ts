import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BASE_NAME_LABEL, BUILD_IDENTITY_LABEL, RUNTIME_KIND_LABEL, RUNTIME_STRATEGY_LIST } from '#libs/runtimes';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { inspectImage } from '../support/registry-inspector.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const sample = (file: string) => readFileSync(new URL(`../../deploy/samples/${file}`, import.meta.url));

describe('builds on the local driver (Docker Engine BuildKit + registry)', () => {
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);
  const repository = USERS.alice.login;
  const source = () => String(process.env.BASE_IMAGE);
  const registry = () => String(deployer.config.REGISTRY_HOST);

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  /** Sends a build the way `ops ide deploy` does and waits for its end. */
  const deploy = async (kind: string, file: Buffer | null, extra: Record<string, unknown> = {}) => {
    const tag = `${kind}-${file ? md5(file) : 'plain'}`;
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: source(), target: targetOf(USERS.alice, tag), kind, ...(file ? { file: file.toString('base64') } : {}), ...extra },
    });
    expect(answer.status).toBe(200);
    const data = answer.body.data as { id: string; job_name: string };
    expect(data.job_name).toMatch(/^build-/);
    return { tag, answer, status: await waitForBuild(deployer.url, auth, data.id) };
  };

  it.each(RUNTIME_STRATEGY_LIST.map((s) => [s.kind, s.dependencyFile]))(
    'builds and pushes a %s image carrying %s',
    async (kind, fileName) => {
      const file = sample(fileName);
      const { tag, status } = await deploy(kind, file);
      expect(status).toMatchObject({ state: 'succeeded', image: `${registry()}/${repository}:${tag}` });

      const image = await inspectImage(registry(), repository, tag);
      expect(image).not.toBeNull();
      expect(image!.digest).toBe(status.digest);
      expect(image!.labels[BASE_NAME_LABEL]).toBe(source());
      expect(image!.labels[RUNTIME_KIND_LABEL]).toBe(kind);
      expect(image!.labels[BUILD_IDENTITY_LABEL]).toMatch(/^[a-f0-9]{64}$/);
      expect(image!.user).toBe('nobody');
      expect(image!.files.get(`tmp/${fileName}`)?.equals(file)).toBe(true);
    },
  );

  it('re-tags the source when no file is sent', async () => {
    const { tag, status } = await deploy('python', null);
    expect(status.state).toBe('succeeded');
    const image = await inspectImage(registry(), repository, tag);
    expect(image!.labels[BASE_NAME_LABEL]).toBe(source());
    expect([...image!.files.keys()].some((path) => path.startsWith('tmp/'))).toBe(false);
  });

  it('answers at once, without a build, when the exact image exists; force rebuilds', async () => {
    const file = Buffer.from('flask==3.0.0\n');
    const first = await deploy('python', file);
    expect(first.status.state).toBe('succeeded');
    // Totals, not per state: the first build's job may still be moving from active to completed.
    const total = async () => Object.values(await deployer.queue.getJobCounts()).reduce((a, b) => a + b, 0);
    const jobsBefore = await total();

    const again = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: source(), target: targetOf(USERS.alice, first.tag), kind: 'python', file: file.toString('base64') },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'ok', state: 'succeeded' });
    expect(await total()).toBe(jobsBefore);

    const forced = await deploy('python', file, { force: true });
    expect(forced.answer.body.state).toBe('queued');
    expect(forced.status.state).toBe('succeeded');
    expect(forced.status.id).not.toBe(first.status.id);

    // Once the tag is deleted through the registry view, the same request builds again at once,
    // although the API had just seen (and remembers for a second) that the image exists.
    const request = { source: source(), target: targetOf(USERS.alice, first.tag), kind: 'python', file: file.toString('base64') };
    expect((await call(deployer.url, 'POST', START, { auth, json: request })).body.state).toBe('succeeded');
    const deleted = await call(deployer.url, 'DELETE', `/system/api/v1/registry/images/${first.tag}`, { auth });
    expect(deleted.status).toBe(200);
    const rebuilt = await call(deployer.url, 'POST', START, { auth, json: request });
    expect(rebuilt.body.state).toBe('queued');
    expect((await waitForBuild(deployer.url, auth, String(rebuilt.body.id))).state).toBe('succeeded');
  });

  it('reports a failing extend step with its reason and the end of the log', async () => {
    const file = Buffer.from('requests==2.32.3\n# extend: fail\n');
    const { status } = await deploy('python', file);
    expect(status).toMatchObject({ state: 'failed', reason: 'InstallFailed' });
    expect(String(status.message)).toBe('/bin/extend exited with status 1');
    const tail = status.log_tail as string[];
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.join('\n')).toMatch(/extend/);

    const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${String(status.id)}/logs`, { auth });
    expect((logs.body.lines as string[]).length).toBeGreaterThan(tail.length - 1);
  });

  it('streams the log with follow=true until the build ends', async () => {
    const file = Buffer.from(`click==8.1.7\n# ${Date.now()}\n`);
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: source(), target: targetOf(USERS.alice, `follow-${md5(file)}`), kind: 'python', file: file.toString('base64') },
    });
    const id = String(answer.body.id);
    const response = await fetch(`${deployer.url}/system/api/v1/build/${id}/logs?follow=true`, {
      headers: { authorization: auth },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const status = await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth });
    expect(status.body.state).toBe('succeeded');
    expect(text).toMatch(/click==8\.1\.7/);
    expect(text).toMatch(/extend/);
  });
});
