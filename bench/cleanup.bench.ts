/**
 * The cleanup of BENCH_JOBS (10,000) finished build Jobs, each with its Pod
 * and its context ConfigMap, on the Kubernetes API test server in this
 * process: FinishedJobsCleaner through the real KubernetesRepository over
 * HTTP. Prints the time taken, the API calls by verb and the peak memory of
 * the process during the cleanup; fails unless every Job, Pod and ConfigMap
 * is gone, and gives up after BENCH_TIMEOUT_MINUTES (10).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { FinishedJobsCleaner } from '#libs/drivers';
import { KubernetesRepository } from '#libs/kube';
import { KubeApiTestServer } from '../test/support/kube-api-server/index.js';
import { seedFinishedBuildJobs } from './finished-build-jobs.seeder.js';
import { MemoryPeakSampler } from './memory-peak.sampler.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const USERS = 10;
const TIMEOUT_MINUTES = Number(process.env.BENCH_TIMEOUT_MINUTES ?? 10);
const GC_SETTLE_MS = 60_000;
const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const server = new KubeApiTestServer();
  await server.start();
  try {
    const seeding = performance.now();
    const olderThan = Date.now() - 24 * 3_600_000;
    seedFinishedBuildJobs(server, { count: JOBS, users: USERS, endedBefore: olderThan });
    const seeded = { jobs: server.objects('Job').length, pods: server.objects('Pod').length, configMaps: server.objects('ConfigMap').length };
    if (seeded.jobs !== JOBS || seeded.pods !== JOBS || seeded.configMaps !== JOBS) throw new Error(`seeding went wrong: ${JSON.stringify(seeded)}`);
    console.log(`seeded ${JOBS} Jobs with their Pods and ConfigMaps in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

    const config = new KubeConfig();
    config.loadFromFile(server.kubeconfigPath);
    const kube = new KubernetesRepository(config, server.namespace, { retries: 5, baseDelayMs: 200 });
    global.gc?.();
    const memory = new MemoryPeakSampler(50);
    const before = process.memoryUsage();
    memory.start();
    const started = performance.now();
    const report = await new FinishedJobsCleaner(kube).clean({ olderThan: new Date(olderThan) });
    const seconds = (performance.now() - started) / 1000;
    memory.stop();

    const settling = performance.now();
    const left = () => ({ jobs: server.objects('Job').length, pods: server.objects('Pod').length, configMaps: server.objects('ConfigMap').length });
    while (Object.values(left()).some((n) => n > 0) && performance.now() - settling < GC_SETTLE_MS) await new Promise((r) => setTimeout(r, 100));
    const remaining = left();

    const calls = Object.entries(server.callCounts()).filter(([, n]) => n > 0);
    console.log(`\ncleanup of ${JOBS} finished build Jobs (${USERS} users), KubernetesRepository over HTTP, test server in-process\n`);
    console.log('| figure                          | value |');
    console.log('|---------------------------------|-------|');
    console.log(`| time of FinishedJobsCleaner      | ${seconds.toFixed(2)} s (${(JOBS / seconds).toFixed(0)} Jobs/s) |`);
    for (const [verb, n] of calls) console.log(`| API calls: ${verb.padEnd(21)}| ${n} |`);
    console.log(`| peak RSS (before)                | ${MiB(memory.peakRss)} (${MiB(before.rss)}) |`);
    console.log(`| peak heap used (before)          | ${MiB(memory.peakHeapUsed)} (${MiB(before.heapUsed)}) |`);
    console.log(`| garbage collection settled after | ${((performance.now() - settling) / 1000).toFixed(2)} s |`);
    console.log(`| reported                         | ${JSON.stringify(report)} |`);

    const problems = [
      report.error && `the cleaner stopped: ${report.error}`,
      report.deleted !== JOBS && `the cleaner reported ${report.deleted} Jobs deleted, not ${JOBS}`,
      Object.values(remaining).some((n) => n > 0) && `left behind: ${JSON.stringify(remaining)}`,
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(problems.join('; '));
    console.log(`\nOK: all ${JOBS} Jobs, their Pods and ConfigMaps are gone`);
  } finally {
    await server.stop();
  }
}

const guard = setTimeout(() => {
  console.error(`FAILED: the benchmark did not finish within ${TIMEOUT_MINUTES} minutes`);
  process.exit(1);
}, TIMEOUT_MINUTES * 60_000);
guard.unref();

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`FAILED: ${error.message}`);
    process.exit(1);
  },
);
