import { randomBytes } from 'node:crypto';
import { BUILD_ID_LABEL } from '#libs/drivers';
import { RUNTIME_STRATEGY_LIST } from '#libs/runtimes';
import { KubeApiTestServer } from '../support/kube-api-server/index.js';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { pushImage } from '../support/registry-uploader.js';
import { kubernetesEnvironment, startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf, writeUsersFile } from '../support/test-users.js';

const START = '/system/api/v1/build/start';

/**
 * The kubernetes driver runs the same Dockerfile and install files the local
 * driver builds: the worker renders them once, from the base image's config
 * read in the registry, and the Job's context carries them unchanged.
 */
describe('runtime extension on the kubernetes driver', () => {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);
  const registry = () => String(process.env.REGISTRY_HOST);
  // On the deployer's own registry a tenant may extend only images of its own repository.
  const baseTag = `runtime-like-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    await server.start();
    const digest = `sha256:${randomBytes(32).toString('hex')}`;
    server.script(() => ({ outcome: 'succeed', logLines: ['#1 DONE'], terminationMessage: JSON.stringify({ 'containerimage.digest': digest }) }));
    await pushImage(registry(), USERS.alice.login, baseTag, { user: 'www-data', workingDir: '/srv/action' });
    deployer = await startTestDeployer({
      worker: true,
      env: {
        ...kubernetesEnvironment(server.kubeconfigPath, writeUsersFile()),
        READ_BASE_IMAGE_CONFIG: 'true',
        REGISTRY_HOST: registry(),
        BUILD_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt',
        BUILD_NPM_REGISTRY: 'https://npm-user:npm-s3cret@npm.mirror.example/',
      },
    });
  });
  afterAll(async () => {
    await deployer?.close();
    await server.stop();
  });

  it.each(RUNTIME_STRATEGY_LIST.map((strategy) => [strategy.kind]))('%s: the Job builds what the worker rendered, as the base image user', async (kind) => {
    const strategy = RUNTIME_STRATEGY_LIST.find((candidate) => candidate.kind === kind)!;
    const content = { go: 'module a\n', java: '<project/>', nodejs: '{}', php: '{"require":{"a/b":"^1"}}', python: 'six\n', ruby: "gem 'rack'\n", dotnet: '{}' }[kind]!;
    const source = `${registry()}/${USERS.alice.login}:${baseTag}`;
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source, target: targetOf(USERS.alice, `k8s-ext-${kind}`), kind, file: Buffer.from(content).toString('base64') },
    });
    expect(answer.status).toBe(200);
    const id = String(answer.body.id);
    expect(await waitForBuild(deployer.url, auth, id, 60_000)).toMatchObject({ state: 'succeeded' });

    const [configMap] = server.objects('ConfigMap', 'nuvolaris').filter((o) => o.metadata.labels?.[BUILD_ID_LABEL] === id);
    const data = (configMap as unknown as { data: Record<string, string> }).data;
    const dockerfile = data.Dockerfile;
    expect(dockerfile.split('\n').filter((line) => line.startsWith('USER '))).toEqual(['USER root', 'USER www-data']);
    const labels = dockerfile.split('\n').find((line) => line.startsWith('LABEL '))!;
    expect(dockerfile.replace(labels, '')).toBe(
      strategy.render({ source, hasFile: true, user: 'www-data', labels: {} }).replace(/^LABEL .*$/m, ''),
    );
    expect(Object.keys(data).sort()).toEqual(['Dockerfile', strategy.dependencyFile, ...Object.keys(strategy.installFiles(content))].sort());
    for (const [name, text] of Object.entries(strategy.installFiles(content))) expect(data[name]).toBe(text);

    const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth });
    expect(logs.body.lines).toContain('base image user: www-data, working directory: /srv/action (from the image config)');

    // The mirror's credentials travel in a Secret that only BuildKit mounts; the Job itself never holds them.
    const [job] = server.objects('Job', 'nuvolaris').filter((o) => o.metadata.labels?.[BUILD_ID_LABEL] === id);
    expect(JSON.stringify(job)).not.toContain('npm-s3cret');
    expect(JSON.stringify(job)).toContain('--secret=id=deployer-install-env,src=');
    const secrets = server.objects('Secret', 'nuvolaris').filter((o) => o.metadata.labels?.[BUILD_ID_LABEL] === id);
    expect(secrets).toHaveLength(1);
    const stored = (secrets[0] as unknown as { data: Record<string, string> }).data;
    expect(Buffer.from(stored['deployer-install-env'], 'base64').toString()).toContain("npm_config_registry='https://npm-user:npm-s3cret@npm.mirror.example/'");
    expect(Object.keys(stored)).toEqual(['deployer-install-env']);
    // The CA bundle is one ConfigMap shared by every build pod, named by its content.
    const caVolume = (job as unknown as { spec: { template: { spec: { volumes: { name: string; configMap?: { name: string } }[] } } } })
      .spec.template.spec.volumes.find((volume) => volume.name === 'ca-bundle');
    const caMap = server.objects('ConfigMap', 'nuvolaris').find((o) => o.metadata.name === caVolume?.configMap?.name);
    expect((caMap as unknown as { data: Record<string, string> }).data['ca.pem']).toContain('-----BEGIN CERTIFICATE-----');
    expect(JSON.stringify(logs.body)).not.toContain('npm-s3cret');
  });
});
