import { randomBytes } from 'node:crypto';
import { BUILD_ID_LABEL, SHARED_REGISTRY_SECRET_LABEL, USER_LABEL } from '#libs/drivers';
import { KubeApiTestServer } from '../support/kube-api-server/index.js';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { kubernetesEnvironment, startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, authorization, targetOf, writeUsersFile } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const tenant = (name: string, registrySecret: string): TestUser => ({
  uuid: randomBytes(8).toString('hex'),
  key: randomBytes(16).toString('hex'),
  login: `${name}${randomBytes(3).toString('hex')}`,
  env: { REGISTRY_SECRET: registrySecret },
});

/**
 * A hostile tenant names secrets of the namespace in its REGISTRY_SECRET: only
 * a secret labelled for that tenant, or shared with every tenant on purpose,
 * reaches its build pod; anything else is refused before a Job exists.
 */
describe('build pods of the kubernetes driver and the secrets a tenant may name', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  const admin = tenant('mallory', 'platform-admin-secret');
  const thief = tenant('trudy', 'bob-registry');
  const owner = tenant('carol', 'carol-registry');
  const sharer = tenant('sybil', 'shared-registry');
  const plain: TestUser = { ...tenant('paul', ''), env: {} };
  let deployer: TestDeployer;

  const secret = (name: string, labels: Record<string, string>) => {
    const dockerConfig = Buffer.from(JSON.stringify({ auths: { 'nuvolaris-registry-svc:5000': { auth: 'eDp5' } } })).toString('base64');
    server.seed('Secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: { name, namespace: 'nuvolaris', labels },
      data: { '.dockerconfigjson': dockerConfig },
    } as never);
  };

  beforeAll(async () => {
    await server.start();
    const digest = `sha256:${randomBytes(32).toString('hex')}`;
    server.script(() => ({ outcome: 'succeed', logLines: ['#1 DONE'], terminationMessage: JSON.stringify({ 'containerimage.digest': digest }) }));
    secret('platform-admin-secret', {});
    secret('bob-registry', { [USER_LABEL]: 'bob' });
    secret('carol-registry', { [USER_LABEL]: owner.login });
    secret('shared-registry', { [SHARED_REGISTRY_SECRET_LABEL]: 'true' });
    secret('registry-pull-secret', {});
    deployer = await startTestDeployer({
      worker: true,
      env: kubernetesEnvironment(server.kubeconfigPath, writeUsersFile([admin, thief, owner, sharer, plain])),
    });
  });
  afterAll(async () => {
    await deployer?.close();
    await server.stop();
  });

  const build = async (who: TestUser) => {
    const answer = await call(deployer.url, 'POST', START, {
      auth: authorization(who),
      json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(who, 'pods'), kind: 'python', file: Buffer.from('six\n').toString('base64') },
    });
    expect(answer.status).toBe(200);
    const id = String(answer.body.id);
    const status = await waitForBuild(deployer.url, authorization(who), id, 60_000);
    const jobs = server.objects('Job', 'nuvolaris').filter((job) => job.metadata.labels?.[BUILD_ID_LABEL] === id);
    return { status, jobs };
  };
  const mountedSecrets = (job: unknown) =>
    ((job as { spec: { template: { spec: { volumes: { secret?: { secretName: string } }[] } } } }).spec.template.spec.volumes)
      .flatMap((volume) => (volume.secret ? [volume.secret.secretName] : []));

  it.each([
    ['a platform secret with no user label', admin],
    ["another tenant's secret", thief],
  ])('refuses %s before any Job exists', async (_what, who) => {
    const { status, jobs } = await build(who);
    expect(status).toMatchObject({ state: 'failed', reason: 'RegistrySecretNotAllowed' });
    expect(String(status.message)).toContain(who.env.REGISTRY_SECRET);
    expect(jobs).toHaveLength(0);
  });

  type PodSpec = { initContainers: Container[]; containers: Container[] };
  type Container = { name: string; volumeMounts?: { name: string }[]; args?: string[] };
  const podOf = (job: unknown) => (job as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
  const mountsCredentials = (container: Container | undefined) => Boolean(container?.volumeMounts?.some((m) => m.name === 'docker-config'));

  it("mounts the tenant's own labelled secret into BuildKit only", async () => {
    const { status, jobs } = await build(owner);
    expect(status.state).toBe('succeeded');
    expect(jobs).toHaveLength(1);
    expect(mountedSecrets(jobs[0])).toContain(owner.env.REGISTRY_SECRET);
    const pod = podOf(jobs[0]);
    expect(pod.initContainers.map((c) => c.name)).toEqual(['context']);
    expect(mountsCredentials(pod.initContainers[0])).toBe(false);
    expect(mountsCredentials(pod.containers[0])).toBe(true);
  });

  it.each([
    ['a secret the operator shares with every tenant', () => sharer],
    ['the shared push secret (no REGISTRY_SECRET)', () => plain],
  ])('keeps %s in the registry proxy sidecar, out of the container that runs the tenant\'s steps', async (_what, who) => {
    const { status, jobs } = await build(who());
    expect(status.state).toBe('succeeded');
    expect(jobs).toHaveLength(1);
    const pod = podOf(jobs[0]);
    expect(pod.initContainers.map((c) => c.name)).toEqual(['context', 'registry-proxy']);
    expect(mountsCredentials(pod.initContainers[1])).toBe(true);
    expect(mountsCredentials(pod.initContainers[0])).toBe(false);
    expect(mountsCredentials(pod.containers[0])).toBe(false);
    const output = pod.containers[0].args?.find((arg) => arg.startsWith('--output='));
    expect(output).toMatch(/^--output=type=image,name=127\.0\.0\.1:15000\//);
    expect(pod.initContainers[1].args).toEqual(expect.arrayContaining(['--push', who().login]));
  });
});
