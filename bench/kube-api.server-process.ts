/**
 * The Kubernetes API test server as a process of its own, so that a
 * benchmark's processes measure their own memory and CPU alone, and the
 * server's CPU is its own. argv[2]: JSON KubeApiServerOptions (Jobs to seed
 * finished, a time scale, latency on every call, the scenario of every new
 * Job). Once seeded it prints `READY <json>` (url, token, kubeconfigPath,
 * namespace, seconds to seed); then, one command a line on stdin: `counts`
 * prints `COUNTS <json>` (objects left and API calls by verb), `jobs` prints
 * `JOBS <json>` (name and labels of every Job), `created` prints `CREATED <json>`
 * (the Jobs stored since the last `created`, each with the epoch milliseconds,
 * to the microsecond, when the server stored it), `stop` stops the server and exits.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { KubeApiTestServer, type Scenario } from '../test/support/kube-api-server/index.js';
import { seedFinishedBuildJobs } from './finished-build-jobs.seeder.js';

export interface KubeApiServerOptions {
  /** Finished build Jobs to seed, with their Pods and ConfigMaps, spread over `users`, ended before `endedBefore` (ms). */
  seed?: { jobs: number; users: number; endedBefore: number };
  timeScale?: number;
  latencyMs?: number;
  /** How the pods of every new Job run; the server's default quick success when absent. */
  scenario?: Scenario;
}

export interface KubeApiServerInfo {
  url: string;
  token: string;
  kubeconfigPath: string;
  namespace: string;
  seedSeconds: number;
}

export interface KubeApiServerCounts {
  jobs: number;
  pods: number;
  configMaps: number;
  calls: Record<string, number>;
}

export interface JobSummary {
  name: string;
  labels: Record<string, string>;
}

async function main(options: KubeApiServerOptions): Promise<void> {
  const server = new KubeApiTestServer(options.timeScale === undefined ? {} : { timeScale: options.timeScale });
  await server.start();
  const { scenario, latencyMs, seed } = options;
  if (scenario) server.script(() => scenario);
  if (latencyMs) server.faults({ latencyMs });
  const seeding = performance.now();
  if (seed) seedFinishedBuildJobs(server, { count: seed.jobs, users: seed.users, endedBefore: seed.endedBefore });
  const info: KubeApiServerInfo = {
    url: server.url,
    token: server.token,
    kubeconfigPath: server.kubeconfigPath,
    namespace: server.namespace,
    seedSeconds: (performance.now() - seeding) / 1000,
  };
  // When each Job was stored, noted in the server's own process: a benchmark's watch would cost the server a write
  // per event and its own process a parse, on the cores the deployer's processes are measured on.
  let created: Record<string, number> = {};
  server.onChange((change) => {
    if (change.type === 'ADDED' && change.object.kind === 'Job') created[change.object.metadata.name] = performance.timeOrigin + performance.now();
  });
  console.log(`READY ${JSON.stringify(info)}`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'counts') {
      const counts: KubeApiServerCounts = {
        jobs: server.objects('Job').length,
        pods: server.objects('Pod').length,
        configMaps: server.objects('ConfigMap').length,
        calls: Object.fromEntries(Object.entries(server.callCounts()).filter(([, n]) => n > 0)),
      };
      console.log(`COUNTS ${JSON.stringify(counts)}`);
    } else if (line === 'jobs') {
      const jobs: JobSummary[] = server.objects('Job', server.namespace).map((job) => ({ name: job.metadata.name, labels: job.metadata.labels ?? {} }));
      console.log(`JOBS ${JSON.stringify(jobs)}`);
    } else if (line === 'created') {
      console.log(`CREATED ${JSON.stringify(created)}`);
      created = {};
    } else if (line === 'stop') {
      break;
    }
  }
  await server.stop();
  process.exit(0);
}

main(JSON.parse(process.argv[2]) as KubeApiServerOptions).catch((error: Error) => {
  console.error(`FAILED: ${error.message}`);
  process.exit(1);
});
