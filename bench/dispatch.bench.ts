/**
 * Dispatch on the kubernetes driver against the Kubernetes API test server
 * with 5 ms of latency on every call and Jobs that finish at once: time from
 * the start answer to the Job existing on the server, with a backlog of 1,000
 * queued builds (enqueued before the worker starts) and then with idle
 * workers, and the rate at which a worker of BUILD_CONCURRENCY slots creates
 * Jobs. Fails unless every build made exactly one Job and succeeded.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUILD_ID_LABEL } from '#libs/drivers';
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, figure, held, mebibytes, ms, perSecond } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { JsonClient, inParallel } from './json-client.js';
import type { KubeApiServerChild } from './kube-api.server-child.js';
import { startKubeDispatchRig } from './kube-dispatch.rig.js';
import { machineCpuNow, stealShare } from './proc-stat.js';
import { summarize } from './latency-summary.js';

const NAME = 'dispatch';
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000);
const IDLE_SAMPLES = 100;
const CONCURRENCY = Number(process.env.BENCH_BUILD_CONCURRENCY ?? 8);
const LATENCY_MS = 5;

const latencyOf = (samples: number[]) => {
  const s = summarize(samples);
  return `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`;
};

export const dispatchBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const rig = await startKubeDispatchRig(env, LATENCY_MS, { BUILD_CONCURRENCY: String(CONCURRENCY) });
    const { server, deployment, creations, api } = rig;
    const answeredAt = new Map<string, number>();
    const buildIds = new Map<string, string>();
    let n = 0;
    let client = new JsonClient();
    const start = async () => {
      const answer = await client.send(`${api.url}/system/api/v1/build/start`, 'POST', { authorization: deployment.user.authorization }, {
        source: 'openserverless/runtime-base:local',
        target: `${deployment.user.login}:d${n++}`,
        kind: 'python',
        file: Buffer.from('requests\n').toString('base64'),
      });
      if (answer.status !== 200) throw new Error(`build/start answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      answeredAt.set(String(answer.body.job_name), answer.at);
      buildIds.set(String(answer.body.job_name), String(answer.body.id));
      return String(answer.body.job_name);
    };
    const delays = (jobs: string[]) => jobs.map((job) => creations.created.get(job)! - answeredAt.get(job)!);
    const rows: BenchRow[] = [];
    try {
      const backlog = await inParallel(BACKLOG, 32, start);
      // With fair shares a user's first build waits in the wait list, the others in the prioritized set.
      const queued = await deployment.jobCount(['waiting', 'prioritized']);
      if (queued !== BACKLOG) throw new Error(`${BACKLOG} builds accepted but ${queued} jobs waiting`);

      const workerSpawned = performance.now();
      const serverCpuBefore = server.cpuSeconds();
      const worker = await rig.startWorker();
      const workerCpuBefore = worker.cpuSeconds();
      // The machine's CPU is counted from the first Job on, over the window the rate is measured in (the worker's start is left out).
      while (creations.created.size === 0) await creations.poll().then(() => sleep(2));
      const machineBefore = machineCpuNow();
      const createdBefore = creations.created.size;
      await creations.waitFor(backlog, 300_000);
      const workerCpu = worker.cpuSeconds() - workerCpuBefore;
      const serverCpu = server.cpuSeconds() - serverCpuBefore;
      const machineAfter = machineCpuNow();
      const times = backlog.map((job) => creations.created.get(job)!).sort((a, b) => a - b);
      const rate = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
      rows.push(figure(NAME, `backlog of ${BACKLOG}: worker spawn to first Job`, ms(times[0] - workerSpawned)));
      rows.push(figure(NAME, `backlog of ${BACKLOG}: answer to Job created (queue wait included)`, latencyOf(delays(backlog))));
      rows.push(held(NAME, `backlog of ${BACKLOG}: Jobs created per second (concurrency ${CONCURRENCY}, ${LATENCY_MS} ms API latency)`, perSecond(rate), '>= 150/s', rate >= 150));
      // The floor on this machine: CPU per build of the worker and of the Kubernetes API test server's process.
      const perBuild = (seconds: number, builds = BACKLOG) => `${((seconds * 1000) / builds).toFixed(1)} ms`;
      rows.push(figure(NAME, `backlog of ${BACKLOG}: CPU per build, worker / Kubernetes API test server`, `${perBuild(workerCpu)} / ${perBuild(serverCpu)} (${os.availableParallelism()} CPUs)`));
      // Everything the run costs the machine (worker, test server, Redis, API, this process, the kernel) from the first Job to the last: the rate the CPUs allow.
      const busy = machineAfter.busy - machineBefore.busy;
      const cpus = os.availableParallelism();
      const builds = BACKLOG - createdBefore;
      rows.push(
        figure(
          NAME,
          `backlog of ${BACKLOG}: machine CPU per build (all processes), busy share, taken by the host (steal), CPU-bound ceiling`,
          `${perBuild(busy, builds)}, ${((100 * busy) / (machineAfter.total - machineBefore.total)).toFixed(0)}% busy, ` +
            `${stealShare(machineBefore, machineAfter)} steal, ${perSecond((cpus * builds) / busy)} at ${cpus} CPUs fully busy`,
        ),
      );
      await settled(deployment);

      client.close();
      client = new JsonClient();
      const idle: string[] = [];
      for (let i = 0; i < IDLE_SAMPLES; i++) {
        const job = await start();
        await creations.waitFor([job], 30_000);
        idle.push(job);
        await settled(deployment);
      }
      rows.push(figure(NAME, `idle workers, ${IDLE_SAMPLES} builds one by one: answer to Job created`, latencyOf(delays(idle))));
      // How long a build holds its slot with the CPUs to spare (the queue's job from taken to finished: the API's
      // latency on each call, the cluster's own delays, the Redis round trips): the rate the slots allow without contention.
      const taken = await Promise.all(idle.map((job) => deployment.queue.getJob(buildIds.get(job)!)));
      const slotMs = taken.map((job) => (job?.finishedOn ?? NaN) - (job?.processedOn ?? NaN));
      if (slotMs.some((value) => !Number.isFinite(value))) throw new Error('an idle build has no processed or finished time in the queue');
      const slot = summarize(slotMs);
      rows.push(
        figure(
          NAME,
          `idle workers: a build's time in its slot (taken to finished), the rate ${CONCURRENCY} slots allow at its p50`,
          `${latencyOf(slotMs)}; ${perSecond((CONCURRENCY * 1000) / slot.p50)}`,
        ),
      );

      await checkOneJobPerBuild(server, [...backlog, ...idle]);
      const metrics = await (await fetch(`${api.url}/system/metrics`)).text();
      const succeeded = finishedSucceeded(metrics);
      if (succeeded !== BACKLOG + IDLE_SAMPLES) {
        throw new Error(`${succeeded} builds succeeded, expected ${BACKLOG + IDLE_SAMPLES}; failures: ${failureCounts(metrics)}`);
      }
      rows.push(figure(NAME, 'builds, Jobs, successes', `${BACKLOG + IDLE_SAMPLES} each (checked)`));
      rows.push(figure('memory', 'api peak RSS during dispatch', mebibytes(api.server.peakRssKiB())));
      const workerPeak = worker.peakRssKiB();
      rows.push(held('memory', 'worker peak RSS during dispatch', mebibytes(workerPeak), '<= 200 MiB', workerPeak <= 200 * 1024));
      return rows;
    } finally {
      client.close();
      await rig.stop();
    }
  },
};

/** Waits until no build is queued or running; fails when any job failed. */
async function settled(deployment: BenchDeployment, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await deployment.jobCount(['waiting', 'active', 'delayed', 'prioritized'])) > 0) {
    if (Date.now() > deadline) throw new Error(`builds still queued or running after ${timeoutMs} ms`);
    await sleep(20);
  }
  const failedJobs = await deployment.jobCount(['failed']);
  if (failedJobs > 0) throw new Error(`${failedJobs} build jobs failed in the queue`);
}

async function checkOneJobPerBuild(server: KubeApiServerChild, jobNames: string[]): Promise<void> {
  const jobs = await server.jobs();
  const buildIds = new Set(jobs.map((job) => job.labels[BUILD_ID_LABEL]));
  const names = new Set(jobs.map((job) => job.name));
  const missing = jobNames.filter((name) => !names.has(name));
  if (jobs.length !== jobNames.length || buildIds.size !== jobs.length || missing.length > 0) {
    throw new Error(`${jobNames.length} builds made ${jobs.length} Jobs for ${buildIds.size} build ids (${missing.length} builds without a Job)`);
  }
}

/** Builds recorded as succeeded by the workers, from the API's metrics. */
function finishedSucceeded(metrics: string): number {
  return [...metrics.matchAll(/^deployer_builds_finished_total\{[^}]*state="succeeded"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** The failure reasons the API counted, to explain a failed run. */
function failureCounts(metrics: string): string {
  const counted = [...metrics.matchAll(/^deployer_build_failures_total\{([^}]*)\} (\d+)$/gm)].filter((m) => m[2] !== '0');
  return counted.map((m) => `${m[1]} ${m[2]}`).join(', ') || 'none counted';
}
