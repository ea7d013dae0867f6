import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthRegistry, startAuthRegistry } from '../support/auth-registry.js';
import { startHostileRegistry, type HostileRegistry } from '../support/hostile-registry.js';
import { rawRequest } from '../support/raw-http.js';
import { RegistryProxyProcess, startRegistryProxy } from '../support/registry-proxy-process.js';
import { pushImage } from '../support/registry-uploader.js';
import { startTokenIssuer, TokenIssuer } from '../support/token-issuer.js';
import { waitUntil } from '../support/wait-until.js';

const MANIFEST_TYPES = 'application/vnd.docker.distribution.manifest.v2+json';
const ACCOUNT = { user: 'builder-push', password: `token-pw-${randomBytes(6).toString('hex')}` };

/**
 * The proxy in front of a real docker-registry that wants Bearer tokens from
 * a token issuer on loopback: the proxy asks the issuer, with the account's
 * basic credentials, for exactly the scopes of each request, and keeps the
 * tokens.
 */
describe('scoped registry proxy in front of a token-auth registry', () => {
  let issuer: TokenIssuer;
  let registry: AuthRegistry;
  let proxy: RegistryProxyProcess;
  let work: string;
  const bearer = (scopes: string[]) => ({ authorization: `Bearer ${issuer.mint(scopes)}` });

  beforeAll(async () => {
    issuer = await startTokenIssuer(ACCOUNT);
    registry = await startAuthRegistry({ auth: issuer.registryAuth });
    const seeder = `Bearer ${issuer.mint(['repository:shared/base:pull,push', 'repository:secret/other:pull,push'])}`;
    await pushImage(registry.host, 'shared/base', '1', { authorization: seeder });
    await pushImage(registry.host, 'secret/other', '1', { authorization: seeder });
    work = mkdtempSync(join(tmpdir(), 'deployer-registry-proxy-token-'));
    // The https:// form of the key, with username/password instead of auth: both name the upstream.
    const auths = { [`https://${registry.host}`]: { username: ACCOUNT.user, password: ACCOUNT.password } };
    writeFileSync(join(work, 'config.json'), JSON.stringify({ auths }));
    proxy = await startRegistryProxy(
      ['--upstream', registry.host, '--plain-http', '--pull', 'shared/base', '--push', 'alice/app'],
      { DOCKER_CONFIG: work },
    );
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    await issuer?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pushes and reads through the proxy with tokens for exactly the scopes of each request, kept between requests', async () => {
    const pushed = await pushImage(proxy.host, 'alice/app', '1');
    const direct = await rawRequest(registry.host, 'HEAD', '/v2/alice/app/manifests/1', { ...bearer(['repository:alice/app:pull']), accept: MANIFEST_TYPES });
    expect(direct.headers['docker-content-digest']).toBe(pushed.digest);
    const read = await rawRequest(proxy.host, 'GET', '/v2/shared/base/manifests/1', { accept: MANIFEST_TYPES });
    expect(read.status).toBe(200);
    const again = await rawRequest(proxy.host, 'GET', '/v2/shared/base/tags/list');
    expect(JSON.parse(again.body)).toEqual({ name: 'shared/base', tags: ['1'] });

    const asked = issuer.requests.filter((request) => request.scopes.length > 0);
    expect(asked.every((request) => request.authenticated)).toBe(true);
    expect(asked.map((request) => request.scopes.join(' ')).sort()).toEqual(['repository:alice/app:pull,push', 'repository:shared/base:pull']);
  });

  it('mounts from a readable repository with a token for both, and never asks a token for an unlisted repository', async () => {
    const manifest = JSON.parse((await rawRequest(proxy.host, 'GET', '/v2/shared/base/manifests/1', { accept: MANIFEST_TYPES })).body) as {
      config: { digest: string };
    };
    const mounted = await rawRequest(proxy.host, 'POST', `/v2/alice/app/blobs/uploads/?mount=${manifest.config.digest}&from=shared/base`);
    expect(mounted.status).toBe(201);
    expect(issuer.requests.at(-1)?.scopes.sort()).toEqual(['repository:alice/app:pull,push', 'repository:shared/base:pull']);

    expect((await rawRequest(proxy.host, 'GET', '/v2/secret/other/manifests/1')).status).toBe(403);
    const refused = await rawRequest(proxy.host, 'POST', `/v2/alice/app/blobs/uploads/?mount=${manifest.config.digest}&from=secret/other`);
    expect(refused.status).toBe(202);
    expect(issuer.requests.some((request) => request.scopes.some((scope) => scope.includes('secret/other')))).toBe(false);
    expect(await proxy.stop()).toBe(0);
    expect(proxy.output()).toContain('alice/app/blobs/uploads/');
    expect(proxy.output()).not.toContain(ACCOUNT.password);
    expect(proxy.output()).not.toContain(Buffer.from(`${ACCOUNT.user}:${ACCOUNT.password}`).toString('base64'));
  });
});

describe('scoped registry proxy in front of an upstream that misbehaves', () => {
  let upstream: HostileRegistry;
  let proxy: RegistryProxyProcess;
  let work: string;
  let challenge = '';

  beforeAll(async () => {
    upstream = await startHostileRegistry((request, response, self) => {
      if (request.headers.authorization === undefined) {
        response.writeHead(401, { 'www-authenticate': challenge.replace('SELF', self) }).end();
      } else if (request.url?.startsWith('/v2/alice/app/blobs/sha256:')) {
        response.writeHead(307, { location: 'http://127.0.0.2:9/blob-store/object?signature=abc' }).end();
      } else {
        response.writeHead(202, { location: `http://${self}/v2/alice/app/blobs/uploads/session-1?_state=s`, 'docker-upload-uuid': 'session-1' }).end();
      }
    });
    work = mkdtempSync(join(tmpdir(), 'deployer-registry-proxy-hostile-'));
    writeFileSync(join(work, 'config.json'), JSON.stringify({ auths: { [upstream.host]: { auth: Buffer.from(`${ACCOUNT.user}:${ACCOUNT.password}`).toString('base64') } } }));
  });
  afterEach(async () => {
    await proxy?.stop();
  });
  afterAll(async () => {
    await upstream?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const start = async () => {
    upstream.received.length = 0;
    proxy = await startRegistryProxy(['--upstream', upstream.host, '--plain-http', '--push', 'alice/app'], { DOCKER_CONFIG: work });
  };

  it('sends no credential to a token realm that is plain http off loopback', async () => {
    challenge = 'Bearer realm="http://registry.example/token",service="x"';
    await start();
    const answer = await rawRequest(proxy.host, 'POST', '/v2/alice/app/blobs/uploads/');
    expect(answer.status).toBe(502);
    expect(upstream.received.map((request) => [request.method, request.path, request.authorization])).toEqual([['GET', '/v2/', undefined]]);
    await waitUntil('the refusal in the log', () => proxy.output().includes('is not https'), 5_000, 20);
  });

  it('keeps the client on the proxy for the upstream origin and passes redirects elsewhere unchanged', async () => {
    challenge = 'Basic realm="hostile"';
    await start();
    const opened = await rawRequest(proxy.host, 'POST', '/v2/alice/app/blobs/uploads/');
    expect(opened.status).toBe(202);
    expect(opened.headers.location).toBe('/v2/alice/app/blobs/uploads/session-1?_state=s');
    expect(opened.headers['docker-upload-uuid']).toBe('session-1');
    const blob = await rawRequest(proxy.host, 'GET', `/v2/alice/app/blobs/sha256:${'a'.repeat(64)}`);
    expect([blob.status, blob.headers.location]).toEqual([307, 'http://127.0.0.2:9/blob-store/object?signature=abc']);
    const basic = `Basic ${Buffer.from(`${ACCOUNT.user}:${ACCOUNT.password}`).toString('base64')}`;
    expect(upstream.received.slice(1).every((request) => request.authorization === basic)).toBe(true);
    expect(upstream.received.length).toBe(3);
  });
});
