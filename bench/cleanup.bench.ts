/**
 * The cleanup of BENCH_JOBS (10,000) finished build Jobs, each with its Pod
 * and its context ConfigMap: FinishedJobsCleaner through the real
 * KubernetesRepository over HTTP, against the Kubernetes API test server run
 * as a process of its own (kube-api.server-process.ts), so the peak memory
 * printed is the cleaner's process alone. Prints the time taken, the API
 * calls by verb and that peak; fails unless every Job, Pod and ConfigMap is
 * gone, and gives up after BENCH_TIMEOUT_MINUTES (10).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FinishedJobsCleaner } from '#libs/drivers';
import { openKubernetesRepository } from '#libs/kube';
import { startKubeApiServerChild } from './kube-api.server-child.js';
import { figure, held, mebibytes } from './bench-table.js';
import { MemoryPeakSampler } from './memory-peak.sampler.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const USERS = 10;
const TIMEOUT_MINUTES = Number(process.env.BENCH_TIMEOUT_MINUTES ?? 10);
const GC_SETTLE_MS = 60_000;
const TARGET_SECONDS = 8;
const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const peakRssOfThisProcess = () => Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

async function main(): Promise<void> {
  const olderThan = Date.now() - 24 * 3_600_000;
  const server = await startKubeApiServerChild({ seed: { jobs: JOBS, users: USERS, endedBefore: olderThan } });
  try {
    const seeded = await server.counts();
    if (seeded.jobs !== JOBS || seeded.pods !== JOBS || seeded.configMaps !== JOBS) throw new Error(`seeding went wrong: ${JSON.stringify(seeded)}`);
    console.log(`seeded ${JOBS} Jobs with their Pods and ConfigMaps in ${server.info.seedSeconds.toFixed(1)} s, in the test server's process`);

    const kube = await openKubernetesRepository({ kubeconfigPath: server.info.kubeconfigPath }, server.info.namespace, { retries: 5, baseDelayMs: 200 });
    global.gc?.();
    const memory = new MemoryPeakSampler(50);
    const before = process.memoryUsage();
    memory.start();
    const started = performance.now();
    const report = await new FinishedJobsCleaner(kube).clean({ olderThan: new Date(olderThan) });
    const seconds = (performance.now() - started) / 1000;
    memory.stop();

    const settling = performance.now();
    let left = await server.counts();
    while ([left.jobs, left.pods, left.configMaps].some((n) => n > 0) && performance.now() - settling < GC_SETTLE_MS) {
      await new Promise((r) => setTimeout(r, 100));
      left = await server.counts();
    }

    const row = held('cleanup', `FinishedJobsCleaner on ${JOBS.toLocaleString('en')} finished Jobs`, `${seconds.toFixed(2)} s (${(JOBS / seconds).toFixed(0)} Jobs/s)`, `<= ${TARGET_SECONDS} s`, seconds <= TARGET_SECONDS);
    console.log(`\ncleanup of ${JOBS} finished build Jobs (${USERS} users), KubernetesRepository over HTTP, test server in a process of its own\n`);
    console.log('| figure                          | value |');
    console.log('|---------------------------------|-------|');
    console.log(`| time of FinishedJobsCleaner      | ${seconds.toFixed(2)} s (${(JOBS / seconds).toFixed(0)} Jobs/s), target ${row.target}: ${row.verdict} |`);
    for (const [verb, n] of Object.entries(left.calls)) console.log(`| API calls: ${verb.padEnd(21)}| ${n} |`);
    console.log(`| cleaner peak RSS (before)        | ${MiB(memory.peakRss)} (${MiB(before.rss)}), VmHWM ${MiB(peakRssOfThisProcess())} |`);
    console.log(`| cleaner peak heap used (before)  | ${MiB(memory.peakHeapUsed)} (${MiB(before.heapUsed)}) |`);
    console.log(`| garbage collection settled after | ${((performance.now() - settling) / 1000).toFixed(2)} s |`);
    console.log(`| reported                         | ${JSON.stringify(report)} |`);

    const problems = [
      report.error && `the cleaner stopped: ${report.error}`,
      report.deleted !== JOBS && `the cleaner reported ${report.deleted} Jobs deleted, not ${JOBS}`,
      [left.jobs, left.pods, left.configMaps].some((n) => n > 0) && `left behind: ${JSON.stringify(left)}`,
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(problems.join('; '));
    console.log(`BENCH_ROW ${JSON.stringify(row)}`);
    console.log(`BENCH_ROW ${JSON.stringify(figure('memory', 'cleaner peak RSS during cleanup (test server apart)', mebibytes(peakRssOfThisProcess() / 1024)))}`);
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
