import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '#libs/builds';
import { BUILD_QUEUE } from '#libs/queues';
import { DeployerEnvironment, loadConfig } from '#libs/config';
import { createApiApp } from '../../apps/api/src/create-api-app.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { startIntakeMover } from './intake-mover.js';
import { writeUsersFile } from './test-users.js';
import { waitUntil } from './wait-until.js';

export interface TestDeployer {
  config: DeployerEnvironment;
  url: string;
  redis: Redis;
  queue: Queue;
  api: NestFastifyApplication;
  worker?: INestApplicationContext;
  /** Every key this deployer wrote, to prove bad requests store nothing. */
  keys(): Promise<string[]>;
  /** Resolves once every build accepted so far is in the queue (the intake is empty), so `queue` sees it. */
  handedOver(): Promise<void>;
  /** Stops its processes and connections, and leaves what it wrote (a replica sharing another's Redis prefix). */
  stop(): Promise<void>;
  /** stop(), then removes every key of its Redis prefix. */
  close(): Promise<void>;
}

/**
 * QUIT while the connection is up (the server closes it); disconnect() alone
 * arms a 2 s timer that only the socket's close clears, which holds the jest
 * worker when the socket is gone already.
 */
async function disconnect(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}

/**
 * Environment of the real servers started by the global setup, plus a Redis
 * prefix of its own so suites running side by side never see each other.
 */
export function testEnvironment(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AUTH_PROVIDER: 'static',
    USERS_FILE: writeUsersFile(),
    REDIS_PREFIX: `test-${randomBytes(5).toString('hex')}`,
    LISTEN_HOST: '127.0.0.1',
    WORKER_LOCK_MS: '5000',
    WORKER_STALLED_INTERVAL_MS: '2000',
    CLEANUP_SCHEDULE: 'false',
    ...overrides,
  };
}

/** The deployer on the kubernetes driver against a Kubernetes API test server (its kubeconfig). */
export function kubernetesEnvironment(kubeconfigPath: string, usersFile: string): Record<string, string> {
  return {
    BUILD_DRIVER: 'kubernetes',
    KUBECONFIG: kubeconfigPath,
    KUBE_API_RETRY_BASE_MS: '20',
    KUBE_API_RETRIES: '8',
    USERS_FILE: usersFile,
    // The suites' sources name public images that no kubelet here pulls: their configs are not read either.
    READ_BASE_IMAGE_CONFIG: 'false',
  };
}

/** As kubernetesEnvironment, for suites where one user runs every build, all at once: no per-user caps. */
export const kubernetesOneUserEnvironment = (kubeconfigPath: string, usersFile: string): Record<string, string> => ({
  ...kubernetesEnvironment(kubeconfigPath, usersFile),
  MAX_ACTIVE_BUILDS_PER_USER: '0',
  MAX_RUNNING_BUILDS_PER_USER: '0',
});

export async function startTestDeployer(
  options: { worker?: boolean; env?: Record<string, string> } = {},
): Promise<TestDeployer> {
  // Without a worker, accepted builds still reach the queue (a worker's intake mover), and wait there.
  const config = loadConfig(testEnvironment(options.env));
  const api = await createApiApp(config, ['error']);
  await api.listen(0, '127.0.0.1');
  const address = api.getHttpServer().address() as { port: number };
  const worker = options.worker
    ? await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error', 'warn'] })
    : undefined;
  const mover = worker ? undefined : await startIntakeMover(config);
  const redis = new Redis({ host: config.REDIS_HOST, port: config.REDIS_PORT });
  const intake = new RedisKeys(config.REDIS_PREFIX).intake();
  const queue = new Queue(BUILD_QUEUE, { connection: { host: config.REDIS_HOST, port: config.REDIS_PORT }, prefix: config.REDIS_PREFIX });
  /** The processes, then what they wrote when `removeKeys`, then the connections. */
  const stop = async (removeKeys: boolean) => {
    await worker?.close();
    await mover?.close();
    await api.close();
    if (removeKeys) await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = removeKeys ? await redis.keys(`${config.REDIS_PREFIX}:*`) : [];
    if (keys.length > 0) await redis.del(...keys);
    await disconnect(redis);
  };
  return {
    config,
    url: `http://127.0.0.1:${address.port}`,
    redis,
    queue,
    api,
    worker,
    keys: () => redis.keys(`${config.REDIS_PREFIX}:*`),
    handedOver: () => waitUntil('the accepted builds to reach the queue', async () => (await redis.xlen(intake)) === 0, 30_000, 5),
    stop: () => stop(false),
    close: () => stop(true),
  };
}
