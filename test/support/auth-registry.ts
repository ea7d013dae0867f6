import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from '#libs/devenv';
import { runDocker } from '#libs/devenv';
import { PushedImage, pushImage } from './registry-uploader.js';
import { testEngine } from './test-engine.js';

export type { PushedImage };

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
 * enabled. Stopped by its pid; its directory goes with it. `auth` replaces
 * htpasswd with another `auth` section (a token issuer's).
 */
export async function startAuthRegistry(options: { auth?: Record<string, unknown> } = {}): Promise<AuthRegistry> {
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
    auth: options.auth ?? { htpasswd: { realm: 'deployer-test', path: htpasswd } },
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

const basic = ({ user, password }: RegistryCredentials) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Pushes a tiny one-layer image with basic auth straight through the Registry API. */
export function pushTinyImageWithAuth(
  registry: { host: string } & RegistryCredentials,
  repository: string,
  tag: string,
  options: { labels?: Record<string, string>; created?: string } = {},
): Promise<PushedImage> {
  return pushImage(registry.host, repository, tag, { ...options, authorization: basic(registry) });
}

/** `docker login` with the registry's one account into the CLI config `configDir`, whose config.json is what a dockerconfigjson Secret holds. */
export function dockerLogin(registry: { host: string } & RegistryCredentials, configDir: string) {
  return runDocker(testEngine(), ['--config', configDir, 'login', registry.host, '--username', registry.user, '--password-stdin'], Buffer.from(registry.password));
}
