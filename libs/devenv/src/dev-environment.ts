import { ensureBaseImage } from './base-image.js';
import { ensureCouchDb, stopCouchDb } from './couchdb.server.js';
import { devenvDir } from './devenv-paths.js';
import { ensureDockerEngine, stopDockerEngine } from './docker-engine.server.js';
import {
  environmentVariables,
  writeEnvironmentFile,
  type DevEnvironmentServers,
  type DevEnvironmentVariables,
} from './environment-file.js';
import { ensureRedis, stopRedis } from './redis.server.js';
import { ensureRegistry, stopRegistry } from './registry.server.js';
import { ensureNodejsLookAlike } from './runtime-look-alikes.js';
import { SERVICE_NAMES, type ServiceName } from './service-name.js';

export interface DevEnvironment extends DevEnvironmentServers {
  /** Servers this call started; the others were already answering. */
  readonly started: readonly ServiceName[];
  readonly variables: DevEnvironmentVariables;
}

const STOPPERS: Record<ServiceName, (stateDir: string) => Promise<boolean>> = {
  redis: stopRedis,
  registry: stopRegistry,
  couchdb: stopCouchDb,
  'docker-engine': stopDockerEngine,
};

/**
 * Every server the deployer needs, reused or started (in parallel), plus the
 * base images: busybox with a recording /bin/extend, and a nodejs runtime
 * look-alike that installs for real. On failure, stops what it started and names every failure.
 */
export async function ensureAll(): Promise<DevEnvironment> {
  const [redis, registry, couchdb, docker] = await Promise.allSettled([
    ensureRedis(),
    ensureRegistry(),
    ensureCouchDb(),
    ensureDockerEngine(),
  ]);
  const started: ServiceName[] = [];
  const failures: string[] = [];
  const results = { redis, registry, couchdb, 'docker-engine': docker };
  const settled = Object.entries(results) as [ServiceName, PromiseSettledResult<{ started: boolean }>][];
  for (const [name, result] of settled) {
    if (result.status === 'rejected') failures.push(errorMessage(result.reason));
    else if (result.value.started) started.push(name);
  }
  if (
    redis.status === 'fulfilled' &&
    registry.status === 'fulfilled' &&
    couchdb.status === 'fulfilled' &&
    docker.status === 'fulfilled'
  ) {
    try {
      const [baseImage, nodejsBaseImage] = await Promise.all([ensureBaseImage(docker.value), ensureNodejsLookAlike(docker.value)]);
      const servers = {
        redis: redis.value,
        registry: registry.value,
        couchdb: couchdb.value,
        docker: docker.value,
        baseImage,
        nodejsBaseImage,
      };
      return { ...servers, started, variables: environmentVariables(servers) };
    } catch (error) {
      failures.push(errorMessage(error));
    }
  }
  await stopServices(started);
  throw new Error(`devenv: the development environment did not start:\n- ${failures.join('\n- ')}`);
}

/** ensureAll(), then writes the addresses as KEY=value lines to `<state dir>/env`. */
export async function startDevEnvironment(): Promise<DevEnvironment> {
  const environment = await ensureAll();
  writeEnvironmentFile(environment.variables);
  return environment;
}

/** Stops the named servers, each only if this module started it (it has a pid file). */
export async function stopServices(
  names: readonly ServiceName[],
  stateDir = devenvDir(),
): Promise<ServiceName[]> {
  const stopped = await Promise.all(
    names.map(async (name) => ((await STOPPERS[name](stateDir)) ? [name] : [])),
  );
  return stopped.flat();
}

/** Stops the servers that `environment` reports it started. */
export function stopStarted(environment: Pick<DevEnvironment, 'started'>): Promise<ServiceName[]> {
  return stopServices(environment.started);
}

/** Stops every server this module started in the state dir, whoever asked for it. */
export function stopAll(stateDir = devenvDir()): Promise<ServiceName[]> {
  return stopServices(SERVICE_NAMES, stateDir);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
