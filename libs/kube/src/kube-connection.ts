import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';

/** Where the connection to the cluster is read from: a kubeconfig file, else the in-cluster service account. */
export interface KubeConfigSource {
  kubeconfigPath?: string;
}

/** How to reach one API server: its address, a kept-alive agent carrying the TLS material, and the headers of every call. */
export interface KubeConnection {
  readonly server: URL;
  readonly agent: http.Agent;
  /** Authorization headers, taken afresh for every call (a service-account token rotates). */
  headers(): Promise<Record<string, string>>;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** A projected service-account token is renewed by the kubelet well before it expires; reading it every minute follows it. */
const TOKEN_REREAD_MS = 60_000;

type Entry = Record<string, unknown>;
const entry = (value: unknown): Entry => (typeof value === 'object' && value !== null ? (value as Entry) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const named = (list: unknown, name: string | undefined, field: string): Entry => {
  const found = Array.isArray(list) ? list.map(entry).find((item) => item['name'] === name) : undefined;
  if (!found) throw new Error(`the kubeconfig has no ${field} named ${JSON.stringify(name ?? '')}`);
  return entry(found[field]);
};

/** Reads a token file when asked, at most once a minute. */
function tokenFrom(path: string): () => Promise<string> {
  let cached: { token: string; at: number } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.at > TOKEN_REREAD_MS) cached = { token: (await readFile(path, 'utf8')).trim(), at: Date.now() };
    return cached.token;
  };
}

function connection(server: string, tls: https.AgentOptions, authorization: () => Promise<string | undefined>): KubeConnection {
  const url = new URL(server);
  // No cap on sockets: every build holds a log stream open (and two watches when it follows on its own), and a cap would
  // queue calls behind them.
  const options = { keepAlive: true };
  const agent = url.protocol === 'https:' ? new https.Agent({ ...options, ...tls }) : new http.Agent(options);
  return {
    server: url,
    agent,
    headers: async (): Promise<Record<string, string>> => {
      const value = await authorization();
      return value ? { authorization: value } : {};
    },
  };
}

/**
 * Opens a connection as a kubeconfig's current context describes it (server,
 * CA, client certificate, bearer token or token file, basic auth), or as the
 * in-cluster service account. Credential plugins (`exec`, `auth-provider`)
 * are refused with a clear message: the deployer runs no programs to log in.
 */
export async function loadKubeConnection(source: KubeConfigSource): Promise<KubeConnection> {
  if (!source.kubeconfigPath) return inClusterConnection();
  const { parse } = await import('yaml');
  const base = dirname(source.kubeconfigPath);
  const config = entry(parse(await readFile(source.kubeconfigPath, 'utf8')));
  const currentContext = text(config['current-context']);
  const context = named(config['contexts'], currentContext, 'context');
  const cluster = named(config['clusters'], text(context['cluster']), 'cluster');
  const user = text(context['user']) ? named(config['users'], text(context['user']), 'user') : {};
  const server = text(cluster['server']);
  if (!server) throw new Error(`the kubeconfig's cluster ${JSON.stringify(context['cluster'])} has no server`);
  if (user['exec'] || user['auth-provider']) {
    throw new Error('the kubeconfig user logs in through a credential plugin, which the deployer does not run: use a token, a token file or a client certificate');
  }
  const file = (path: string) => readFile(isAbsolute(path) ? path : join(base, path));
  const material = async (dataKey: string, fileKey: string): Promise<Buffer | undefined> => {
    const data = text(cluster[dataKey] ?? user[dataKey]);
    if (data) return Buffer.from(data, 'base64');
    const path = text(cluster[fileKey] ?? user[fileKey]);
    return path ? file(path) : undefined;
  };
  const tls: https.AgentOptions = {
    ca: await material('certificate-authority-data', 'certificate-authority'),
    cert: await material('client-certificate-data', 'client-certificate'),
    key: await material('client-key-data', 'client-key'),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    servername: text(cluster['tls-server-name']),
  };
  const token = text(user['token']);
  const tokenFile = text(user['tokenFile']);
  const username = text(user['username']);
  const readToken = tokenFile ? tokenFrom(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile)) : undefined;
  return connection(server, tls, async () => {
    if (token) return `Bearer ${token}`;
    if (readToken) return `Bearer ${await readToken()}`;
    if (username) return `Basic ${Buffer.from(`${username}:${text(user['password']) ?? ''}`).toString('base64')}`;
    return undefined;
  });
}

async function inClusterConnection(): Promise<KubeConnection> {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('not in a cluster (KUBERNETES_SERVICE_HOST is unset) and no KUBECONFIG given');
  const readToken = tokenFrom(`${SERVICE_ACCOUNT}/token`);
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return connection(server, { ca: await readFile(`${SERVICE_ACCOUNT}/ca.crt`) }, async () => `Bearer ${await readToken()}`);
}
