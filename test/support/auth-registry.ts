import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { freeLoopbackPort } from '#libs/devenv';

const COMMAND = '/usr/bin/docker-registry';
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;

/** The one account of the test registry. */
export const AUTH_REGISTRY_USER = 'deployer-test';
export const AUTH_REGISTRY_PASSWORD = 'deployer-registry-test';
/**
 * bcrypt (cost 5, the registry's htpasswd accepts only bcrypt) of
 * AUTH_REGISTRY_PASSWORD, computed once ahead of time: no bcrypt
 * implementation is among the project's dependencies. A low cost keeps the
 * per-request check of the registry fast.
 */
const AUTH_REGISTRY_PASSWORD_BCRYPT = '$2b$05$V262CAWuC6ExdZWxHFpYVO7wqX0GYlIkB7mAULEgptrhzsHWd/30S';

export interface RegistryCredentials {
  user: string;
  password: string;
}

export interface AuthRegistry extends RegistryCredentials {
  /** host:port on 127.0.0.1 (plain HTTP, as every loopback registry). */
  readonly host: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * A second Debian docker-registry on a free loopback port that requires basic
 * auth (htpasswd), with its own storage under the OS temp dir and delete
 * enabled. Stopped by its pid; its directory goes with it.
 */
export async function startAuthRegistry(): Promise<AuthRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'deployer-auth-registry-'));
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, `${AUTH_REGISTRY_USER}:${AUTH_REGISTRY_PASSWORD_BCRYPT}\n`);
  // distribution 2.x reads YAML; JSON is valid YAML.
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: { addr: host, secret: 'deployer-auth-registry' },
    auth: { htpasswd: { realm: 'deployer-test', path: htpasswd } },
  };
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, JSON.stringify(config));
  const logFile = join(dir, 'registry.log');
  const log = openSync(logFile, 'a');
  const child = spawn(COMMAND, ['serve', configFile], { cwd: dir, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    await stopChild(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilChallenging(host, child);
  } catch (error) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-5).join('\n  | ');
    await stop();
    throw new Error(`${(error as Error).message}\n  | ${tail}`);
  }
  return { host, pid: Number(child.pid), user: AUTH_REGISTRY_USER, password: AUTH_REGISTRY_PASSWORD, stop };
}

/** Ready once `/v2/` asks for credentials. */
async function waitUntilChallenging(host: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the registry on ${host} exited`);
    const status = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
    if (status === 401) return;
    await sleep(50);
  }
  throw new Error(`the registry on ${host} did not answer within ${START_TIMEOUT_MS} ms`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, false, { ref: false })]);
  if (!stopped && child.exitCode === null) {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = ({ user, password }: RegistryCredentials) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function uploadBlob(base: string, auth: string, repository: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization: auth } });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, {
    method: 'PUT',
    body: data,
    headers: { authorization: auth, 'content-type': 'application/octet-stream' },
  });
  if (done.status !== 201) throw new Error(`blob upload: ${done.status}`);
  return digest;
}

export interface PushedImage {
  digest: string;
  /** Layer plus config bytes, as the manifest records them. */
  size: number;
}

/** Pushes a tiny one-layer image with basic auth straight through the Registry API. */
export async function pushTinyImageWithAuth(
  registry: { host: string } & RegistryCredentials,
  repository: string,
  tag: string,
  options: { labels?: Record<string, string>; created?: string } = {},
): Promise<PushedImage> {
  const base = `http://${registry.host}`;
  const auth = basic(registry);
  const layer = gzipSync(Buffer.alloc(2048));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      ...(options.created ? { created: options.created } : {}),
      config: { Labels: options.labels ?? {} },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const configDigest = await uploadBlob(base, auth, repository, config);
  const layerDigest = await uploadBlob(base, auth, repository, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
    }),
  );
  const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { authorization: auth, 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (put.status !== 201) throw new Error(`manifest put: ${put.status} ${await put.text()}`);
  return { digest: sha(manifest), size: layer.length + config.length };
}
