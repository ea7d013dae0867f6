import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildJobName } from '#libs/builds';
import { runDocker } from '#libs/devenv';
import { BuildJobOptions, BuildSpec, buildJob, buildObjectNames, contextConfigMap, proxiedScope } from '#libs/drivers';
import { AuthRegistry, dockerLogin, startAuthRegistry } from '../support/auth-registry.js';
import { buildJobOptions } from '../support/build-job-options.fixture.js';
import { REGISTRY_PROXY_MAIN, runRegistryProxy, startRegistryProxy, type RegistryProxyProcess } from '../support/registry-proxy-process.js';
import { testEngine } from '../support/test-engine.js';

const RENDERED_ADDRESS = '127.0.0.1:15000';

/**
 * The registry proxy sidecar exactly as the kubernetes driver renders it
 * (its arguments, its startup probe, BuildKit's references and the proxied
 * Dockerfile), run against a real registry that requires credentials, with
 * the Docker Engine in BuildKit's place: the build gets its source and its
 * push, and nothing of another tenant. Only the listening port differs, so
 * that runs never collide.
 */
describe('the kubernetes build pod\'s registry proxy, run as the driver renders it', () => {
  let registry: AuthRegistry;
  let proxy: RegistryProxyProcess;
  let work: string;
  let login: string;
  let client: string;
  const tenant = `alice${randomBytes(3).toString('hex')}`;
  const dockerAs = (config: string, ...args: string[]) => runDocker(testEngine(), ['--config', config, ...args]);
  let spec: BuildSpec;
  let options: BuildJobOptions;
  const onProxy = (text: string) => text.replaceAll(RENDERED_ADDRESS, proxy.host);

  beforeAll(async () => {
    registry = await startAuthRegistry();
    work = mkdtempSync(join(tmpdir(), 'deployer-kube-proxy-'));
    login = join(work, 'login');
    client = join(work, 'client');
    expect((await dockerLogin(registry, login)).code).toBe(0);
    const base = String(process.env.BASE_IMAGE);
    for (const reference of [`${registry.host}/openserverless/runtime-python:v1`, `${registry.host}/bob:secret`]) {
      expect((await dockerAs(login, 'tag', base, reference)).code).toBe(0);
      expect((await dockerAs(login, 'push', reference)).code).toBe(0);
    }
    const source = `${registry.host}/openserverless/runtime-python:v1`;
    spec = {
      buildId: '0mwv5oezo6055dfe345c',
      jobName: buildJobName(tenant, '0mwv5oezo6055dfe345c'),
      login: tenant,
      kind: 'python',
      registryHost: registry.host,
      registrySecret: null,
      image: `${registry.host}/${tenant}:python-1`,
      source,
      dockerfile: `FROM ${source}\nLABEL "openserverless.base"="${source}"\n`,
      dependencyFile: null,
      installFiles: [],
      secrets: [],
      timeoutSeconds: 600,
      noCache: false,
    };
    options = buildJobOptions({ registryProxyImage: 'openserverless/deployer:0.1.0' });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    if (registry) await dockerAs(login, 'rmi', '--force', `${registry.host}/openserverless/runtime-python:v1`, `${registry.host}/bob:secret`);
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts from the rendered arguments, passes the rendered startup probe, and carries the build from its source to its target', async () => {
    const job = buildJob(spec, buildObjectNames(spec.jobName), options, { secret: 'registry-pull-secret', shared: true });
    const pod = job.spec!.template.spec!;
    const sidecar = pod.initContainers!.find((container) => container.name === 'registry-proxy')!;
    expect(sidecar.command).toEqual(['node', 'dist/apps/registry-proxy/src/main.js']);
    expect(REGISTRY_PROXY_MAIN.endsWith(sidecar.command![1])).toBe(true);
    // The rendered arguments, with the mounted secret's path pointed at the file `docker login` wrote.
    const args = [...sidecar.args!];
    args[args.indexOf('--docker-config') + 1] = join(login, 'config.json');
    const listen = args.indexOf('--listen');
    expect(args[listen + 1]).toBe(RENDERED_ADDRESS);
    args.splice(listen, 2);
    proxy = await startRegistryProxy(args);

    const probe = sidecar.startupProbe!.exec!.command!;
    expect(probe.slice(0, 3)).toEqual(['node', 'dist/apps/registry-proxy/src/main.js', '--check']);
    expect(await runRegistryProxy(['--check', onProxy(probe[3])]).exited).toBe(0);

    const scope = proxiedScope(spec, options, { secret: 'registry-pull-secret', shared: true });
    const dockerfile = onProxy(contextConfigMap(spec, buildObjectNames(spec.jobName), options, undefined, scope).data!.Dockerfile);
    expect(dockerfile.startsWith(`FROM ${proxy.host}/openserverless/runtime-python:v1\n`)).toBe(true);
    writeFileSync(join(work, 'Dockerfile'), dockerfile);
    const output = pod.containers[0].args!.find((arg) => arg.startsWith('--output='))!;
    const target = onProxy(/name=([^,]+)/.exec(output)![1]);
    expect(target).toBe(`${proxy.host}/${tenant}:python-1`);
    const built = await dockerAs(client, 'build', '--progress=plain', '--tag', target, work);
    expect(built).toMatchObject({ code: 0 });
    const pushed = await dockerAs(client, 'push', target);
    expect(pushed).toMatchObject({ code: 0 });
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
    const stored = await fetch(`http://${registry.host}/v2/${tenant}/manifests/python-1`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${registry.user}:${registry.password}`).toString('base64')}`,
        accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    expect(stored.status).toBe(200);
    expect(stored.headers.get('docker-content-digest')).toBe(digest);
    await dockerAs(client, 'rmi', '--force', target, `${proxy.host}/openserverless/runtime-python:v1`);
  }, 180_000);

  it("gives a step that reaches the proxy nothing of another tenant's and nothing to delete", async () => {
    expect(proxy).toBeDefined();
    const pulled = await dockerAs(client, 'pull', `${proxy.host}/bob:secret`);
    expect(pulled.code).not.toBe(0);
    const manifest = await fetch(`http://${proxy.host}/v2/bob/manifests/secret`);
    expect(manifest.status).toBe(403);
    const source = await fetch(`http://${proxy.host}/v2/openserverless/runtime-python/manifests/v1`, { method: 'DELETE' });
    expect(source.status).toBe(403);
    const push = await fetch(`http://${proxy.host}/v2/openserverless/runtime-python/blobs/uploads/`, { method: 'POST' });
    expect(push.status).toBe(403);
    expect(proxy.output()).not.toContain(registry.password);
  });
});
