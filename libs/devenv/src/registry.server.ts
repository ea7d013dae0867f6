import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devenvDir, serverPaths, type ServerPaths } from './devenv-paths.js';
import { httpRequest } from './loopback-http.js';
import { ensureServer, stopServer } from './server-process.js';

export interface RegistryServer {
  /** host:port to use in image references, e.g. 127.0.0.1:5001. */
  readonly host: string;
  readonly started: boolean;
}

export interface RegistryOptions {
  readonly port?: number;
  readonly stateDir?: string;
}

const COMMAND = 'docker-registry';
const ADDRESS = '127.0.0.1';

/** A Registry HTTP API v2 server (Debian docker-registry) on 127.0.0.1:DEVENV_REGISTRY_PORT (5001). */
export async function ensureRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const port = options.port ?? Number(process.env.DEVENV_REGISTRY_PORT ?? 5001);
  const paths = serverPaths('registry', options.stateDir ?? devenvDir());
  const started = await ensureServer({
    name: 'registry',
    paths,
    command: COMMAND,
    args: ['serve', writeConfig(paths, port)],
    answers: async () => (await httpRequest({ host: ADDRESS, port }, '/v2/'))?.status === 200,
    startTimeoutMs: 15_000,
  });
  return { host: `${ADDRESS}:${port}`, started };
}

export function stopRegistry(stateDir = devenvDir()): Promise<boolean> {
  return stopServer(serverPaths('registry', stateDir), COMMAND);
}

/** distribution 2.x reads YAML; JSON is valid YAML, so no YAML writer is needed. */
function writeConfig(paths: ServerPaths, port: number): string {
  const file = join(paths.dir, 'config.yml');
  const config = {
    version: 0.1,
    // Info logs one line a request: under load the registry spent its time writing them.
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(paths.dir, 'data') },
      delete: { enabled: true },
    },
    http: { addr: `${ADDRESS}:${port}`, secret: 'devenv-registry' },
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
