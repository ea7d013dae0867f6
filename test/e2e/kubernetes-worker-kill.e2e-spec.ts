import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BUILD_ID_LABEL } from '#libs/drivers';
import { KubeApiTestServer, Scenario } from '../support/kube-api-server/index.js';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { kubernetesOneUserEnvironment, startTestDeployer, TestDeployer, testEnvironment } from '../support/test-deployer.js';
import { startScriptedKubeApi } from '../support/scripted-kube-api.js';
import { USERS, authorization, targetOf, writeUsersFile } from '../support/test-users.js';
import { exited, spawnWorker } from '../support/worker-process.js';
import { waitUntil } from '../support/wait-until.js';

const START = '/system/api/v1/build/start';
const auth = authorization(USERS.alice);

interface Started {
  id: string;
  digest: string;
}

/** Starts `count` builds, each with its own tag, log and digest. */
async function startBuilds(
  deployer: TestDeployer,
  scenarios: Map<string, Scenario>,
  prefix: string,
  count: number,
  logLines: number,
  lineIntervalMs: number,
): Promise<Started[]> {
  const started: Started[] = [];
  for (let i = 0; i < count; i++) {
    const tag = `${prefix}-${i}`;
    const digest = `sha256:${randomBytes(32).toString('hex')}`;
    scenarios.set(tag, {
      outcome: 'succeed',
      logLines: Array.from({ length: logLines }, (_, n) => `#${n} ${tag} step`),
      lineIntervalMs,
      terminationMessage: JSON.stringify({ 'containerimage.digest': digest }),
    });
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(USERS.alice, tag), kind: 'python' },
    });
    expect(answer.body).toMatchObject({ status: 'ok', state: 'queued', coalesced: false });
    started.push({ id: String(answer.body.id), digest });
  }
  return started;
}

/** Each build succeeded with its digest, from exactly one Job, reported exactly once. */
async function expectEachBuiltOnce(deployer: TestDeployer, server: KubeApiTestServer, builds: Started[]): Promise<void> {
  const statuses = await Promise.all(builds.map((b) => waitForBuild(deployer.url, auth, b.id, 60_000)));
  statuses.forEach((status, i) => expect(status).toMatchObject({ id: builds[i].id, state: 'succeeded', digest: builds[i].digest }));

  const jobs = server.objects('Job', 'nuvolaris');
  expect(jobs.map((j) => j.metadata.labels?.[BUILD_ID_LABEL]).sort()).toEqual(builds.map((b) => b.id).sort());
  const created = server.calls.filter((c) => c.method === 'POST' && /\/namespaces\/nuvolaris\/jobs$/.test(c.path) && c.status === 201);
  expect(created).toHaveLength(builds.length);

  for (const { id } of builds) {
    const log = (await deployer.redis.xrange(`${deployer.config.REDIS_PREFIX}:build:${id}:log`, '-', '+')) as [string, string[]][];
    expect({ id, ends: log.filter(([, fields]) => fields[0] === 'end').map(([, fields]) => fields[1]) }).toEqual({ id, ends: ['succeeded'] });
  }
  // A record ends a moment before BullMQ files its job as completed.
  const read = () => deployer.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  let counts = await read();
  for (let i = 0; counts.completed < builds.length && i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    counts = await read();
  }
  expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, completed: builds.length, failed: 0, prioritized: 0 });
  const metrics = await call(deployer.url, 'GET', '/system/metrics');
  expect(metrics.text).toMatch(new RegExp(`^deployer_builds_finished_total\\{kind="python",state="succeeded"\\} ${builds.length}$`, 'm'));
}

describe('the kubernetes driver under worker crashes and API faults (Kubernetes API test server)', () => {
  it('finishes 20 running builds once each after their worker is killed with SIGKILL and another starts', async () => {
    const { server, scenarios } = await startScriptedKubeApi();
    const usersFile = writeUsersFile();
    const deployer = await startTestDeployer({ env: kubernetesOneUserEnvironment(server.kubeconfigPath, usersFile) });
    const workers: ChildProcess[] = [];
    try {
      const env = testEnvironment({
        ...kubernetesOneUserEnvironment(server.kubeconfigPath, usersFile),
        REDIS_PREFIX: deployer.config.REDIS_PREFIX,
        BUILD_CONCURRENCY: '20',
      });
      const builds = await startBuilds(deployer, scenarios, 'kill', 20, 40, 100);
      const first = spawnWorker(env);
      workers.push(first);
      const streamed = async (id: string) =>
        ((await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[]).length;
      await waitUntil(
        'all 20 builds to stream their log',
        async () => (await Promise.all(builds.map((b) => streamed(b.id)))).every((n) => n >= 3),
        30_000,
      );
      first.kill('SIGKILL');
      await exited(first);
      const states = await Promise.all(builds.map(async (b) => (await call(deployer.url, 'GET', `/system/api/v1/build/${b.id}`, { auth })).body.state));
      expect(states).toEqual(builds.map(() => 'running'));

      workers.push(spawnWorker(env));
      await expectEachBuiltOnce(deployer, server, builds);
    } finally {
      for (const worker of workers) {
        worker.kill('SIGKILL');
        await exited(worker);
      }
      await deployer.close();
      await server.stop();
    }
  });

  it('ends every accepted build correctly when 30% of API calls fail for a while and then every watch is dropped', async () => {
    const { server, scenarios } = await startScriptedKubeApi();
    const usersFile = writeUsersFile();
    const deployer = await startTestDeployer({ worker: true, env: { ...kubernetesOneUserEnvironment(server.kubeconfigPath, usersFile), BUILD_CONCURRENCY: '10' } });
    try {
      server.faults({ errorRate: 0.3, seed: 11 });
      const builds = await startBuilds(deployer, scenarios, 'faults', 10, 20, 100);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      server.faults();
      server.dropAllWatches();
      await expectEachBuiltOnce(deployer, server, builds);
      expect(server.calls.filter((c) => c.status === 500).length).toBeGreaterThan(10);
    } finally {
      await deployer.close();
      await server.stop();
    }
  });
});
