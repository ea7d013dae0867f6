import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaseImage } from './base-image.js';
import type { CouchDbServer } from './couchdb.server.js';
import { devenvDir } from './devenv-paths.js';
import type { DockerEngine } from './docker-engine.server.js';
import type { RedisServer } from './redis.server.js';
import type { RegistryServer } from './registry.server.js';

export interface DevEnvironmentVariables {
  readonly REDIS_HOST: string;
  readonly REDIS_PORT: string;
  readonly REGISTRY_HOST: string;
  readonly COUCHDB_SERVICE_HOST: string;
  readonly COUCHDB_SERVICE_PORT: string;
  readonly COUCHDB_ADMIN_USER: string;
  readonly COUCHDB_ADMIN_PASSWORD: string;
  readonly DOCKER_HOST: string;
  readonly DOCKER_CLI: string;
  readonly DOCKER_BUILD_NETWORK: string;
  readonly BASE_IMAGE: string;
  /** The nodejs runtime look-alike (real node and npm, no /bin/extend). */
  readonly NODEJS_BASE_IMAGE: string;
  /** The machine's own CA bundle (it may hold a TLS-intercepting proxy's CA), for builds that install packages. */
  readonly BUILD_CA_BUNDLE?: string;
  /** The npm registry this machine's npm uses, so builds install from the same place. */
  readonly BUILD_NPM_REGISTRY?: string;
}

export interface DevEnvironmentServers {
  readonly redis: RedisServer;
  readonly registry: RegistryServer;
  readonly couchdb: CouchDbServer;
  readonly docker: DockerEngine;
  readonly baseImage: BaseImage;
  readonly nodejsBaseImage: BaseImage;
}

export function environmentVariables(servers: DevEnvironmentServers): DevEnvironmentVariables {
  return {
    REDIS_HOST: servers.redis.host,
    REDIS_PORT: String(servers.redis.port),
    REGISTRY_HOST: servers.registry.host,
    COUCHDB_SERVICE_HOST: servers.couchdb.host,
    COUCHDB_SERVICE_PORT: String(servers.couchdb.port),
    COUCHDB_ADMIN_USER: servers.couchdb.adminUser,
    COUCHDB_ADMIN_PASSWORD: servers.couchdb.adminPassword,
    DOCKER_HOST: servers.docker.dockerHost,
    DOCKER_CLI: servers.docker.dockerCli,
    DOCKER_BUILD_NETWORK: servers.docker.buildNetwork,
    BASE_IMAGE: servers.baseImage.name,
    NODEJS_BASE_IMAGE: servers.nodejsBaseImage.name,
    ...machinePackageAccess(),
  };
}

/**
 * How this machine reaches package registries, handed to builds: its CA
 * bundle (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, else Debian's) and its npm
 * registry when npm names one other than the public default.
 */
function machinePackageAccess(): Pick<DevEnvironmentVariables, 'BUILD_CA_BUNDLE' | 'BUILD_NPM_REGISTRY'> {
  const candidates = [process.env.SSL_CERT_FILE, process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'];
  const bundle = candidates.find((file): file is string => typeof file === 'string' && file.startsWith('/') && existsSync(file));
  const registry = process.env.npm_config_registry;
  return {
    ...(bundle ? { BUILD_CA_BUNDLE: bundle } : {}),
    ...(registry && /^https?:\/\/\S+$/.test(registry) ? { BUILD_NPM_REGISTRY: registry } : {}),
  };
}

export function environmentFile(stateDir = devenvDir()): string {
  return join(stateDir, 'env');
}

/** Writes `KEY=value` lines that a shell (`set -a; . .devenv/env`) or a dotenv loader reads. */
export function writeEnvironmentFile(variables: DevEnvironmentVariables, stateDir = devenvDir()): string {
  const file = environmentFile(stateDir);
  const lines = Object.entries(variables).map(([key, value]) => `${key}=${value}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
