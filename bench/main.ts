/**
 * `npm run bench`: starts (or reuses) the local servers, runs every benchmark
 * in turn and prints one table. Exits non-zero when a benchmark's own
 * correctness check fails; a figure that misses its target is reported, not
 * fatal. BENCH_ONLY=<name>[,<name>] runs a subset.
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { acquireLease, releaseLease, startDevEnvironment, stopServices } from '#libs/devenv';
import { acceptPathBenchmark } from './accept-path.bench.js';
import { BenchRow, failed, printTable } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { coalescingBenchmark } from './coalescing.bench.js';
import { dispatchBenchmark } from './dispatch.bench.js';
import { nodejsInstallBenchmark } from './nodejs-install.bench.js';
import { fairDispatchBenchmark } from './fair-dispatch.bench.js';
import { realBuildsBenchmark } from './real-builds.bench.js';
import { machineCpuNow, stealShare } from './proc-stat.js';
import { scriptBenchmark } from './script-benchmark.js';

const BENCHMARKS: Benchmark[] = [
  acceptPathBenchmark,
  coalescingBenchmark,
  dispatchBenchmark,
  fairDispatchBenchmark,
  realBuildsBenchmark,
  nodejsInstallBenchmark,
  scriptBenchmark('cleanup', './cleanup.bench.js'),
];

async function main(): Promise<number> {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));
  const environment = await startDevEnvironment();
  acquireLease(environment.started);
  const env = { ...process.env, ...environment.variables };
  const rows: BenchRow[] = [];
  const loadBefore = loadavg()[0];
  const cpuBefore = machineCpuNow();
  let failures = 0;
  try {
    for (const benchmark of selected) {
      console.error(`running ${benchmark.name}…`);
      const started = Date.now();
      try {
        rows.push(...(await benchmark.run(env)));
      } catch (error) {
        failures++;
        const message = error instanceof Error ? error.message : String(error);
        console.error(`${benchmark.name} failed: ${message}`);
        rows.push(failed(benchmark.name, message.split('\n')[0]));
      }
      console.error(`${benchmark.name} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await stopServices(releaseLease());
  }
  // On a virtual machine the host may take CPU time from it while it runs (steal): figures then come out lower.
  const load = `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after, ${cpus().length} CPUs, CPU steal ${stealShare(cpuBefore, machineCpuNow())} of the run`;
  console.log(`\ndeployer benchmarks, ${new Date().toISOString()}, loopback only, one machine (${load})\n`);
  printTable([...rows.filter((r) => r.benchmark !== 'memory'), ...rows.filter((r) => r.benchmark === 'memory')]);
  return failures;
}

main().then(
  (failures) => {
    if (failures > 0) console.error(`\n${failures} benchmark(s) failed their correctness checks`);
    process.exit(failures > 0 ? 1 : 0);
  },
  (error: Error) => {
    console.error(`benchmarks did not run: ${error.message}`);
    process.exit(1);
  },
);
