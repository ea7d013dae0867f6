import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeConnection } from './kube-connection.js';

describe('loadKubeConnection', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'kubeconfig-spec-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const kubeconfig = async (cluster: object, user: object, current = 'main') => {
    const path = join(directory, 'config');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': current,
      contexts: [
        { name: 'other', context: { cluster: 'c2', user: 'u2' } },
        { name: 'main', context: { cluster: 'c1', user: 'u1' } },
      ],
      clusters: [
        { name: 'c2', cluster: { server: 'https://other.example:6443' } },
        { name: 'c1', cluster },
      ],
      users: [
        { name: 'u2', user: { token: 'other-token' } },
        { name: 'u1', user },
      ],
    };
    await writeFile(path, stringify(config));
    return path;
  };

  it("follows the current context to its cluster and user: server, CA data, bearer token", async () => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const path = await kubeconfig({ server: 'https://api.example:6443', 'certificate-authority-data': ca.toString('base64') }, { token: 't0ken' });
    const connection = await loadKubeConnection({ kubeconfigPath: path });
    expect(connection.server.href).toBe('https://api.example:6443/');
    expect(connection.agent).toBeInstanceOf(https.Agent);
    const options = (connection.agent as https.Agent).options;
    expect(Buffer.from(options.ca as Buffer).toString()).toBe(ca.toString());
    expect(options.rejectUnauthorized).toBe(true);
    expect(await connection.headers()).toEqual({ authorization: 'Bearer t0ken' });
  });

  it('reads a token file relative to the kubeconfig, and files for CA, certificate and key', async () => {
    await writeFile(join(directory, 'token'), 'from-file\n');
    await writeFile(join(directory, 'ca.pem'), 'CA');
    await writeFile(join(directory, 'client.pem'), 'CERT');
    await writeFile(join(directory, 'client.key'), 'KEY');
    const path = await kubeconfig(
      { server: 'https://api.example', 'certificate-authority': 'ca.pem' },
      { tokenFile: 'token', 'client-certificate': 'client.pem', 'client-key': join(directory, 'client.key') },
    );
    const connection = await loadKubeConnection({ kubeconfigPath: path });
    const options = (connection.agent as https.Agent).options;
    expect([String(options.ca), String(options.cert), String(options.key)]).toEqual(['CA', 'CERT', 'KEY']);
    expect(await connection.headers()).toEqual({ authorization: 'Bearer from-file' });
  });

  it('skips TLS verification only when the kubeconfig says so, and sends basic auth for a username', async () => {
    const path = await kubeconfig({ server: 'https://api.example', 'insecure-skip-tls-verify': true }, { username: 'admin', password: 's3cret' });
    const connection = await loadKubeConnection({ kubeconfigPath: path });
    expect((connection.agent as https.Agent).options.rejectUnauthorized).toBe(false);
    expect(await connection.headers()).toEqual({ authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` });
  });

  it('refuses credential plugins and a context that names nothing', async () => {
    const exec = await kubeconfig({ server: 'https://api.example' }, { exec: { command: 'aws', args: ['eks', 'get-token'] } });
    await expect(loadKubeConnection({ kubeconfigPath: exec })).rejects.toThrow(/credential plugin/);
    const missing = await kubeconfig({ server: 'https://api.example' }, { token: 't' }, 'nowhere');
    await expect(loadKubeConnection({ kubeconfigPath: missing })).rejects.toThrow(/no context named "nowhere"/);
  });

  it('outside a cluster without a kubeconfig, says so', async () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      await expect(loadKubeConnection({})).rejects.toThrow(/not in a cluster/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
