import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDocker } from '#libs/devenv';
import { AuthRegistry, dockerLogin, pushTinyImageWithAuth, startAuthRegistry } from '../support/auth-registry.js';
import { rawRequest as raw, type RawAnswer } from '../support/raw-http.js';
import { RegistryProxyProcess, runRegistryProxy, startRegistryProxy } from '../support/registry-proxy-process.js';
import { testEngine } from '../support/test-engine.js';

const MANIFEST_TYPES = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

/**
 * The scoped registry proxy, run as the compiled entry point in front of a
 * real registry that requires basic auth, used by the Docker Engine (which
 * holds no credential for it) as a build would use it.
 */
describe('scoped registry proxy in front of a basic-auth registry', () => {
  let registry: AuthRegistry;
  let proxy: RegistryProxyProcess;
  let work: string;
  let loginConfig: string;
  let clientConfig: string;
  let secretConfigDigest: string;
  const seen: string[] = [];
  const secrets = () => {
    const basic = Buffer.from(`${registry.user}:${registry.password}`).toString('base64');
    return [registry.password, basic, Buffer.from(registry.password).toString('base64')];
  };
  const direct = (method: string, path: string) =>
    raw(registry.host, method, path, {
      authorization: `Basic ${Buffer.from(`${registry.user}:${registry.password}`).toString('base64')}`,
      accept: MANIFEST_TYPES,
    });
  const viaProxy = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const answer = await raw(proxy.host, method, path, headers, body);
    seen.push(JSON.stringify(answer));
    return answer;
  };
  const dockerAs = (config: string, ...args: string[]) => runDocker(testEngine(), ['--config', config, ...args]);

  beforeAll(async () => {
    registry = await startAuthRegistry();
    work = mkdtempSync(join(tmpdir(), 'deployer-registry-proxy-'));
    loginConfig = join(work, 'login');
    clientConfig = join(work, 'client');
    writeFileSync(join(work, 'Dockerfile'), 'FROM placeholder\n');
    expect((await dockerLogin(registry, loginConfig)).code).toBe(0);
    const base = String(process.env.BASE_IMAGE);
    expect((await dockerAs(loginConfig, 'tag', base, `${registry.host}/shared/base:1`)).code).toBe(0);
    const seeded = await dockerAs(loginConfig, 'push', `${registry.host}/shared/base:1`);
    expect(seeded.code).toBe(0);
    expect((await dockerAs(loginConfig, 'tag', base, `${registry.host}/team/readonly:1`)).code).toBe(0);
    expect((await dockerAs(loginConfig, 'push', `${registry.host}/team/readonly:1`)).code).toBe(0);
    await pushTinyImageWithAuth(registry, 'secret/other', '1', { labels: { secret: randomBytes(8).toString('hex') } });
    const manifest = JSON.parse((await direct('GET', '/v2/secret/other/manifests/1')).body) as { config: { digest: string } };
    secretConfigDigest = manifest.config.digest;
    // The file a kubernetes.io/dockerconfigjson Secret would hold, as `docker login` writes it.
    const config = JSON.parse(readFileSync(join(loginConfig, 'config.json'), 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(config.auths)).toEqual([registry.host]);
    proxy = await startRegistryProxy([
      ...['--upstream', registry.host, '--plain-http', '--docker-config', join(loginConfig, 'config.json')],
      ...['--pull', 'shared/base', '--pull', 'team/readonly', '--push', 'alice/app'],
    ]);
  }, 120_000);

  afterAll(async () => {
    if (proxy) await proxy.stop();
    if (proxy) await dockerAs(clientConfig, 'rmi', '--force', `${proxy.host}/shared/base:1`, `${proxy.host}/alice/app:1`, `${proxy.host}/team/readonly:2`);
    if (registry) await dockerAs(loginConfig, 'rmi', '--force', `${registry.host}/shared/base:1`, `${registry.host}/team/readonly:1`);
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lets the Engine pull an allowed image, build FROM it and push to the push repository', async () => {
    const pulled = await dockerAs(clientConfig, 'pull', `${proxy.host}/shared/base:1`);
    expect(pulled).toMatchObject({ code: 0 });

    writeFileSync(join(work, 'Dockerfile'), `FROM ${proxy.host}/shared/base:1\nCOPY hello.txt /hello.txt\n`);
    writeFileSync(join(work, 'hello.txt'), `built ${randomBytes(8).toString('hex')}\n`);
    const built = await dockerAs(clientConfig, 'build', '--progress=plain', '--tag', `${proxy.host}/alice/app:1`, work);
    expect(built).toMatchObject({ code: 0 });
    const pushed = await dockerAs(clientConfig, 'push', `${proxy.host}/alice/app:1`);
    expect(pushed).toMatchObject({ code: 0 });
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
    expect(digest).toBeDefined();

    const stored = await direct('HEAD', '/v2/alice/app/manifests/1');
    expect(stored.status).toBe(200);
    expect(stored.headers['docker-content-digest']).toBe(digest);
    const throughProxy = await viaProxy('HEAD', `/v2/alice/app/manifests/${String(digest)}`, { accept: MANIFEST_TYPES });
    expect(throughProxy.status).toBe(200);
    expect(throughProxy.headers['docker-content-digest']).toBe(digest);
  }, 180_000);

  it('denies reading a repository that is not listed, to the Engine and to a plain client', async () => {
    const pulled = await dockerAs(clientConfig, 'pull', `${proxy.host}/secret/other:1`);
    expect(pulled.code).not.toBe(0);
    const answer = await viaProxy('GET', '/v2/secret/other/manifests/1', { accept: MANIFEST_TYPES });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ errors: [{ code: 'DENIED', message: expect.stringContaining('secret/other') }] });
    expect((await viaProxy('GET', `/v2/secret/other/blobs/${secretConfigDigest}`)).status).toBe(403);
    expect((await viaProxy('GET', '/v2/secret/other/tags/list')).status).toBe(403);
  });

  it('denies pushing to a pull-only repository', async () => {
    expect((await viaProxy('GET', '/v2/team/readonly/tags/list')).status).toBe(200);
    expect((await dockerAs(clientConfig, 'pull', `${proxy.host}/team/readonly:1`)).code).toBe(0);
    expect((await dockerAs(clientConfig, 'tag', `${proxy.host}/team/readonly:1`, `${proxy.host}/team/readonly:2`)).code).toBe(0);
    const pushed = await dockerAs(clientConfig, 'push', `${proxy.host}/team/readonly:2`);
    expect(pushed.code).not.toBe(0);
    expect((await viaProxy('POST', '/v2/team/readonly/blobs/uploads/')).status).toBe(403);
    expect((await viaProxy('PUT', '/v2/team/readonly/manifests/3', { 'content-type': 'application/json' }, '{}')).status).toBe(403);
    expect((await direct('HEAD', '/v2/team/readonly/manifests/2')).status).toBe(404);
  });

  it('starts a plain upload instead of mounting a blob from a repository that is not listed', async () => {
    const mount = await viaProxy('POST', `/v2/alice/app/blobs/uploads/?mount=${secretConfigDigest}&from=secret/other`);
    expect(mount.status).toBe(202);
    expect(String(mount.headers.location)).toMatch(/^\/v2\/alice\/app\/blobs\/uploads\/[0-9a-f-]+\?/);
    expect((await direct('HEAD', `/v2/alice/app/blobs/${secretConfigDigest}`)).status).toBe(404);
    // The session it opened is the client's to cancel, through the proxy.
    expect((await viaProxy('DELETE', String(mount.headers.location))).status).toBe(204);

    const baseManifest = JSON.parse((await direct('GET', '/v2/shared/base/manifests/1')).body) as { config: { digest: string } };
    const allowed = await viaProxy('POST', `/v2/alice/app/blobs/uploads/?mount=${baseManifest.config.digest}&from=shared/base`);
    expect(allowed.status).toBe(201);
    expect(allowed.headers['docker-content-digest']).toBe(baseManifest.config.digest);
  });

  it('uploads a blob in chunks through the session the registry opened, streaming what it gets', async () => {
    const data = randomBytes(64 * 1024);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const opened = await viaProxy('POST', '/v2/alice/app/blobs/uploads/');
    expect(opened.status).toBe(202);
    expect(opened.headers['docker-upload-uuid']).toBeDefined();
    const patched = await new Promise<RawAnswer>((resolve, reject) => {
      const [hostname, port] = proxy.host.split(':');
      const outgoing = request(
        { hostname, port: Number(port), method: 'PATCH', path: String(opened.headers.location), headers: { 'content-type': 'application/octet-stream' } },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' }));
        },
      );
      outgoing.on('error', reject);
      // Chunked, without a length: the proxy streams what it gets.
      outgoing.write(data.subarray(0, 1000));
      setTimeout(() => outgoing.end(data.subarray(1000)), 50);
    });
    expect(patched.status).toBe(202);
    expect(patched.headers.range).toBe(`0-${data.length - 1}`);
    const location = new URL(String(patched.headers.location), 'http://proxy');
    location.searchParams.set('digest', digest);
    const closed = await viaProxy('PUT', `${location.pathname}${location.search}`, { 'content-length': '0' });
    expect(closed.status).toBe(201);
    expect(closed.headers['docker-content-digest']).toBe(digest);
    const fetched = await direct('HEAD', `/v2/alice/app/blobs/${digest}`);
    expect(fetched.headers['content-length']).toBe(String(data.length));

    const read = await viaProxy('GET', `/v2/alice/app/blobs/${digest}`);
    expect(createHash('sha256').update(Buffer.from(read.body, 'latin1')).digest('hex')).toBe(digest.slice(7));
  });

  it('denies deleting, the catalogue, other methods, and paths it cannot name precisely', async () => {
    const manifest = await direct('HEAD', '/v2/shared/base/manifests/1');
    const digest = String(manifest.headers['docker-content-digest']);
    for (const [method, path] of [
      ['DELETE', `/v2/alice/app/manifests/${digest}`],
      ['DELETE', `/v2/shared/base/manifests/${digest}`],
      ['DELETE', `/v2/alice/app/blobs/${digest}`],
      ['GET', '/v2/_catalog'],
      ['POST', '/v2/'],
      ['OPTIONS', '/v2/alice/app/manifests/1'],
      ['GET', '/v2/alice/app/../../secret/other/manifests/1'],
      ['GET', '/v2/shared/base/manifests/1/../../../../secret/other/manifests/1'],
      ['GET', '/v2/secret%2Fother/manifests/1'],
      ['GET', '/v2/shared%2fbase/manifests/1'],
      ['GET', '/v2/Shared/Base/manifests/1'],
      ['GET', '/v2//shared/base/manifests/1'],
      ['GET', '/v1/search'],
    ] as const) {
      const answer = await viaProxy(method, path);
      expect([method, path, answer.status]).toEqual([method, path, 403]);
      expect(JSON.parse(answer.body).errors[0].code).toBe('DENIED');
    }
    expect((await direct('HEAD', '/v2/shared/base/manifests/1')).status).toBe(200);
    expect((await direct('GET', '/v2/_catalog')).body).toContain('secret/other');
  });

  it('takes no credential from its client: the upstream sees only its own', async () => {
    const wrong = `Basic ${Buffer.from(`${registry.user}:wrong`).toString('base64')}`;
    const answer = await viaProxy('GET', '/v2/shared/base/tags/list', { authorization: wrong, cookie: 'a=b' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ name: 'shared/base', tags: ['1'] });
    const version = await viaProxy('GET', '/v2/');
    expect([version.status, version.body]).toEqual([200, '{}']);
  });

  it('never shows the password or its base64, in answers or in its log, and exits 0 on SIGTERM', async () => {
    expect(await proxy.stop()).toBe(0);
    const log = proxy.output();
    expect(log).toContain('"outcome":"forward"');
    expect(log).toContain('denied:');
    expect(log).toContain('"outcome":"forward without the mount from \\"secret/other\\""');
    for (const secret of secrets()) {
      expect(log).not.toContain(secret);
      for (const answer of seen) expect(answer).not.toContain(secret);
    }
    expect((await runRegistryProxy(['--check', proxy.host]).exited)).toBe(1);
  });
});
