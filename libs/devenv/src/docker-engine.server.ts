import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { devenvDir, serverPaths } from './devenv-paths.js';
import { httpRequest, type HttpTarget } from './loopback-http.js';
import { ensureServer, stopServer } from './server-process.js';

export interface DockerEngine {
  /** DOCKER_HOST value for the CLI, e.g. unix:///run/deployer-dockerd/docker.sock. */
  readonly dockerHost: string;
  /** A BuildKit-capable docker CLI (Debian docker.io's). */
  readonly dockerCli: string;
  /**
   * The --network to give `docker build`: the engine runs without a bridge
   * (no host network changes), so RUN steps that install packages need
   * "host" ("none" builds offline).
   */
  readonly buildNetwork: string;
  readonly started: boolean;
}

export interface DockerEngineOptions {
  readonly dockerHost?: string;
  readonly stateDir?: string;
}

const COMMAND = '/usr/sbin/dockerd';
export const DEFAULT_DOCKER_HOST = 'unix:///run/deployer-dockerd/docker.sock';
/** sockaddr_un holds 108 bytes; containerd's socket sits deeper under the exec root. */
const MAX_SOCKET_PATH = 100;

/**
 * A Docker Engine with its embedded BuildKit on a private unix socket
 * (DEVENV_DOCKER_HOST), with its own data root under the state dir and its
 * own exec root and pid file beside the socket. Reused when it answers.
 */
export async function ensureDockerEngine(options: DockerEngineOptions = {}): Promise<DockerEngine> {
  const dockerHost = options.dockerHost ?? process.env.DEVENV_DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
  const dockerCli = process.env.DOCKER_CLI ?? '/usr/bin/docker';
  const buildNetwork = process.env.DEVENV_DOCKER_BUILD_NETWORK ?? 'host';
  const target = engineTarget(dockerHost);
  const answers = async (): Promise<boolean> => (await httpRequest(target, '/_ping'))?.status === 200;
  if (!('socketPath' in target)) {
    if (await answers()) return { dockerHost, dockerCli, buildNetwork, started: false };
    throw new Error(`devenv: no Docker Engine answers at ${dockerHost}; only unix:// ones can be started`);
  }
  const paths = serverPaths('docker-engine', options.stateDir ?? devenvDir());
  const runDir = dirname(target.socketPath);
  const started = await ensureServer({
    name: 'docker-engine',
    paths,
    command: COMMAND,
    args: dockerdArgs(paths.dir, runDir, dockerHost),
    answers,
    startTimeoutMs: 60_000,
  });
  return { dockerHost, dockerCli, buildNetwork, started };
}

export function stopDockerEngine(stateDir = devenvDir()): Promise<boolean> {
  return stopServer(serverPaths('docker-engine', stateDir), COMMAND);
}

function engineTarget(dockerHost: string): HttpTarget {
  const url = new URL(dockerHost);
  if (url.protocol === 'tcp:') return { host: url.hostname, port: Number(url.port || 2375) };
  if (url.protocol !== 'unix:') throw new Error(`devenv: unsupported DEVENV_DOCKER_HOST ${dockerHost}`);
  if (url.pathname.length > MAX_SOCKET_PATH) {
    throw new Error(`devenv: DEVENV_DOCKER_HOST socket path is longer than ${MAX_SOCKET_PATH} characters`);
  }
  return { socketPath: url.pathname };
}

/**
 * No bridge, no iptables, no forwarding: the engine changes nothing in the
 * host's network. The storage driver is the engine's own choice (overlay2,
 * else a fallback such as vfs) unless DEVENV_DOCKER_STORAGE_DRIVER names one.
 */
function dockerdArgs(stateDir: string, runDir: string, dockerHost: string): string[] {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const config: Record<string, unknown> = { features: { buildkit: true }, 'log-level': 'warn' };
  const storageDriver = process.env.DEVENV_DOCKER_STORAGE_DRIVER;
  if (storageDriver) config['storage-driver'] = storageDriver;
  const configFile = join(stateDir, 'daemon.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return [
    '--config-file', configFile,
    '--host', dockerHost,
    '--data-root', join(stateDir, 'data'),
    '--exec-root', join(runDir, 'exec'),
    '--pidfile', join(runDir, 'dockerd.pid'),
    '--iptables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--bridge=none',
  ];
}
