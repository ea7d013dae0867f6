import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeConnection } from './kube-connection.js';
import { KubeApiException, KubeHttpClient } from './kube-http.client.js';
import { isNotFound } from './kubernetes-api.error.js';

/**
 * The client against a real HTTPS server on loopback whose certificate is
 * signed by a CA made here (openssl, installed by
 * scripts/install-system-packages.sh): the kubeconfig's CA is trusted, any
 * other is refused, the bearer token is sent, refusals keep the API's Status.
 */
describe('KubeHttpClient over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-tls-spec-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  let server: https.Server;
  let url: string;
  const seen: { authorization?: string; path?: string }[] = [];

  beforeAll(async () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=spec-ca');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf');
    server = https.createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
      seen.push({ authorization: req.headers.authorization, path: req.url });
      if (req.url?.startsWith('/api/v1/namespaces/ns/configmaps/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'configmaps "missing" not found', code: 404 }));
        return;
      }
      if (req.url?.includes('ends=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
        res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`);
        return;
      }
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n{"type":"MODI`);
        setTimeout(() => res.end(`FIED","object":{"metadata":{"name":"a"}}}\n`), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ metadata: { name: 'found' }, data: { key: 'value' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const kubeconfig = (cluster: Record<string, unknown>) => {
    const path = join(dir, `config-${seen.length}-${Math.random()}`);
    writeFileSync(
      path,
      stringify({
        'current-context': 'c',
        contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
        clusters: [{ name: 'k', cluster: { server: url, ...cluster } }],
        users: [{ name: 'u', user: { token: 'spec-token' } }],
      }),
    );
    return path;
  };

  it('trusts the kubeconfig CA, sends the token, reads JSON and streams watch lines split across chunks', async () => {
    const connection = await loadKubeConnection({ kubeconfigPath: kubeconfig({ 'certificate-authority': join(dir, 'ca.pem') }) });
    const client = new KubeHttpClient(connection);
    expect(await client.json('GET', '/api/v1/namespaces/ns/configmaps/found')).toEqual({ metadata: { name: 'found' }, data: { key: 'value' } });
    expect(seen.at(-1)).toEqual({ authorization: 'Bearer spec-token', path: '/api/v1/namespaces/ns/configmaps/found' });
    const lines: string[] = [];
    await client.lines('/api/v1/namespaces/ns/pods', { watch: true }, (line) => lines.push(line), new AbortController().signal);
    expect(lines.map((line) => JSON.parse(line).type)).toEqual(['ADDED', 'MODIFIED']);
  });

  it('closes a stream from the handler of its last line (an ERROR, then the end) without an error thrown', async () => {
    const client = new KubeHttpClient(await loadKubeConnection({ kubeconfigPath: kubeconfig({ 'certificate-authority': join(dir, 'ca.pem') }) }));
    const types: string[] = [];
    const stop = new AbortController();
    await client.lines(
      '/api/v1/namespaces/ns/pods',
      { watch: true, ends: true },
      (line) => {
        types.push(JSON.parse(line).type);
        if (types.at(-1) === 'ERROR') stop.abort();
      },
      stop.signal,
    );
    // An uncaught exception would fail this suite; the stream must also have ended with both lines.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(types).toEqual(['ADDED', 'ERROR']);
    expect(stop.signal.aborted).toBe(true);
  });

  it('refuses a stream whose signal is already aborted, with nothing sent', async () => {
    const client = new KubeHttpClient(await loadKubeConnection({ kubeconfigPath: kubeconfig({ 'certificate-authority': join(dir, 'ca.pem') }) }));
    const before = seen.length;
    const stop = new AbortController();
    stop.abort();
    await expect(client.lines('/api/v1/namespaces/ns/pods', { watch: true }, () => undefined, stop.signal)).rejects.toThrow(/abort/i);
    expect(seen.length).toBe(before);
  });

  it('keeps the API Status of a refusal, which reads as NotFound', async () => {
    const client = new KubeHttpClient(await loadKubeConnection({ kubeconfigPath: kubeconfig({ 'certificate-authority-data': readFileSync(join(dir, 'ca.pem')).toString('base64') }) }));
    const refusal = await client.json('GET', '/api/v1/namespaces/ns/configmaps/missing').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(KubeApiException);
    expect(refusal).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'configmaps "missing" not found' } });
    expect(isNotFound(refusal)).toBe(true);
  });

  it('refuses a server whose certificate the kubeconfig does not trust', async () => {
    const before = seen.length;
    const client = new KubeHttpClient(await loadKubeConnection({ kubeconfigPath: kubeconfig({}) }));
    await expect(client.json('GET', '/api/v1/namespaces/ns/configmaps/found')).rejects.toThrow(/certificate/i);
    expect(seen.length).toBe(before);
  });
});
