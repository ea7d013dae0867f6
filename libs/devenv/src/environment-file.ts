import { writeFileSync } from 'node:fs';
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
}

export interface DevEnvironmentServers {
  readonly redis: RedisServer;
  readonly registry: RegistryServer;
  readonly couchdb: CouchDbServer;
  readonly docker: DockerEngine;
  readonly baseImage: BaseImage;
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
