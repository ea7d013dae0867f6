import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BUILD_QUEUE } from '#libs/queues';
import { BUILD_ID_LABEL } from '#libs/drivers';
import { DeployerReplicas } from '../support/deployer-replicas.js';
import { endThroughEither, forEachLimited, startThroughEither } from '../support/replica-client.js';
import { startScriptedKubeApi } from '../support/scripted-kube-api.js';
import { kubernetesEnvironment, testEnvironment } from '../support/test-deployer.js';
import { USERS, authorization, targetOf, writeUsersFile } from '../support/test-users.js';

const auth = authorization(USERS.alice);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  sent: number;
  accepted: string[];
  /** Per accepted build: the states its log ended with. */
  ends: Map<string, string[]>;
  /** Through which API each client saw its build end. */
  seenVia: number[];
  /** Queue jobs active when API 0 and worker 0 were killed. */
  activeAtKill: number;
}

/**
 * Clients send `count` builds, alternating between the two APIs, `concurrency`
 * at a time. When half are accepted, API 0 and worker 0 are killed with
 * SIGKILL and started again a moment later. Each client then follows its build
 * to its end through whichever API answers.
 */
async function sendAcrossReplicas(
  env: NodeJS.ProcessEnv,
  count: number,
  concurrency: number,
  request: (i: number) => Record<string, unknown>,
): Promise<Outcome & { replicas: DeployerReplicas; queue: Queue; redis: Redis }> {
  const replicas = await DeployerReplicas.start(env);
  const connection = { host: env.REDIS_HOST ?? '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379) };
  const queue = new Queue(BUILD_QUEUE, { connection, prefix: env.REDIS_PREFIX });
  const redis = new Redis(connection);
  const accepted: string[] = [];
  const seenVia: number[] = [];
  let crash: Promise<void> | undefined;
  let sent = 0;
  let activeAtKill = -1;
  try {
    await forEachLimited(count, concurrency, async (i) => {
      sent++;
      const id = await startThroughEither(replicas, i, auth, request(i));
      if (!id) throw new Error(`build ${i} was refused by both APIs every time`);
      accepted.push(id);
      if (accepted.length === Math.floor(count / 2)) {
        crash = (async () => {
          activeAtKill = await queue.getActiveCount();
          await Promise.all([replicas.killApi(0), replicas.killWorker(0)]);
          await sleep(1_000);
          replicas.restartWorker(0);
          await replicas.restartApi(0);
        })();
      }
      seenVia.push((await endThroughEither(replicas, i, auth, id, 300_000)).via);
    });
    await crash;
    const ends = new Map<string, string[]>();
    for (const id of accepted) {
      const log = (await redis.xrange(`${env.REDIS_PREFIX}:build:${id}:log`, '-', '+')) as [string, string[]][];
      ends.set(id, log.filter(([, fields]) => fields[0] === 'end').map(([, fields]) => fields[1]));
    }
    return { sent, accepted, ends, seenVia, activeAtKill, replicas, queue, redis };
  } catch (error) {
    await replicas.stop();
    await queue.close();
    redis.disconnect();
    throw error;
  }
}

/** Every accepted build ended once, succeeded, and its queue job completed once; prints the counts. */
async function expectEachEndedOnce(label: string, outcome: Outcome & { queue: Queue }, extra = '') {
  const { sent, accepted, ends, seenVia, activeAtKill, queue } = outcome;
  const ended = [...ends.values()].filter((e) => e.length >= 1).length;
  const duplicated = [...ends.values()].filter((e) => e.length > 1).length;
  process.stdout.write(`[replicas ${label}] builds sent ${sent}, accepted ${accepted.length}, ended ${ended}, duplicated ${duplicated}${extra}; ${activeAtKill} builds running at the kill\n`);
  // The kill came mid-way: builds were running.
  expect(activeAtKill).toBeGreaterThan(0);
  expect(new Set(accepted).size).toBe(accepted.length);
  expect(accepted).toHaveLength(sent);
  expect([...ends].filter(([, e]) => e.length !== 1 || e[0] !== 'succeeded')).toEqual([]);
  expect(seenVia).toHaveLength(accepted.length);
  // Both APIs served clients to the end, the restarted one included.
  expect(new Set(seenVia).size).toBe(2);
  const read = () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'completed');
  let counts = await read();
  for (let i = 0; counts.completed < accepted.length && i < 40; i++) {
    await sleep(250);
    counts = await read();
  }
  expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, prioritized: 0, completed: accepted.length });
}

async function release(outcome: { replicas: DeployerReplicas; queue: Queue; redis: Redis } | undefined, prefix: string) {
  if (!outcome) return;
  await outcome.replicas.stop();
  await outcome.queue.obliterate({ force: true }).catch(() => undefined);
  await outcome.queue.close();
  const keys = await outcome.redis.keys(`${prefix}:*`);
  if (keys.length > 0) await outcome.redis.del(...keys);
  outcome.redis.disconnect();
}

describe('two API processes and two worker processes on one Redis', () => {
  it('local driver: tiny real builds sent across both APIs end once each while an API and a worker are killed and restarted', async () => {
    // Real BuildKit builds, each one short, as many as the kubernetes case.
    const COUNT = 200;
    const env = testEnvironment({ BUILD_CONCURRENCY: '2', MAX_ACTIVE_BUILDS_PER_USER: '0', ORPHAN_CHECK_INTERVAL_MS: '2000', ORPHAN_MIN_AGE_MS: '3000' });
    let outcome: Awaited<ReturnType<typeof sendAcrossReplicas>> | undefined;
    try {
      outcome = await sendAcrossReplicas(env, COUNT, 6, (i) => {
        const file = Buffer.from(`tiny-${i}\n# extend: sleep 1\n# ${randomBytes(4).toString('hex')}\n`);
        return { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, `replica-${i}`), kind: 'python', file: file.toString('base64') };
      });
      await expectEachEndedOnce('local', outcome);
    } finally {
      await release(outcome, String(env.REDIS_PREFIX));
    }
  }, 600_000);

  it('kubernetes driver: 200 builds sent across both APIs, one Job each, while an API and a worker are killed and restarted', async () => {
    const COUNT = 200;
    // The test server runs in this process; the workers reach it over loopback through its kubeconfig.
    const { server, scenarios } = await startScriptedKubeApi();
    const usersFile = writeUsersFile();
    const env = testEnvironment({
      ...kubernetesEnvironment(server.kubeconfigPath, usersFile),
      BUILD_CONCURRENCY: '20',
      MAX_ACTIVE_BUILDS_PER_USER: '0',
      ORPHAN_CHECK_INTERVAL_MS: '2000',
      ORPHAN_MIN_AGE_MS: '3000',
    });
    const run = randomBytes(3).toString('hex');
    let outcome: Awaited<ReturnType<typeof sendAcrossReplicas>> | undefined;
    try {
      outcome = await sendAcrossReplicas(env, COUNT, 20, (i) => {
        const tag = `replica-${run}-${i}`;
        scenarios.set(tag, {
          outcome: 'succeed',
          logLines: Array.from({ length: 8 }, (_, n) => `#${n} ${tag} step`),
          lineIntervalMs: 150,
          terminationMessage: JSON.stringify({ 'containerimage.digest': `sha256:${randomBytes(32).toString('hex')}` }),
        });
        return { source: 'openserverless/runtime-python:v3.12', target: targetOf(USERS.alice, tag), kind: 'python' };
      });
      const created = server.calls.filter((c) => c.method === 'POST' && /\/namespaces\/nuvolaris\/jobs$/.test(c.path) && c.status === 201);
      const jobs = server.objects('Job', 'nuvolaris').map((j) => j.metadata.labels?.[BUILD_ID_LABEL]);
      await expectEachEndedOnce('kubernetes', outcome, `, Jobs created ${created.length}, Jobs twice ${created.length - new Set(jobs).size}`);
      expect(created).toHaveLength(outcome.accepted.length);
      expect([...jobs].sort()).toEqual([...outcome.accepted].sort());
    } finally {
      await release(outcome, String(env.REDIS_PREFIX));
      await server.stop();
    }
  }, 600_000);
});
