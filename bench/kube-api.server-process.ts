/**
 * The Kubernetes API test server as a process of its own, seeded with
 * finished build Jobs, so that a benchmark's client process measures its own
 * memory alone. argv[2]: JSON `{ jobs, users, endedBefore }`. Once seeded it
 * prints `READY <json>` (url, kubeconfigPath, namespace, seconds to seed);
 * then, one command a line on stdin: `counts` prints `COUNTS <json>` (objects
 * left and API calls by verb), `stop` stops the server and exits.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { KubeApiTestServer } from '../test/support/kube-api-server/index.js';
import { seedFinishedBuildJobs } from './finished-build-jobs.seeder.js';

export interface SeededServerOptions {
  jobs: number;
  users: number;
  endedBefore: number;
}

export interface SeededServerInfo {
  url: string;
  kubeconfigPath: string;
  namespace: string;
  seedSeconds: number;
}

export interface SeededServerCounts {
  jobs: number;
  pods: number;
  configMaps: number;
  calls: Record<string, number>;
}

async function main(options: SeededServerOptions): Promise<void> {
  const server = new KubeApiTestServer();
  await server.start();
  const seeding = performance.now();
  seedFinishedBuildJobs(server, { count: options.jobs, users: options.users, endedBefore: options.endedBefore });
  const info: SeededServerInfo = {
    url: server.url,
    kubeconfigPath: server.kubeconfigPath,
    namespace: server.namespace,
    seedSeconds: (performance.now() - seeding) / 1000,
  };
  console.log(`READY ${JSON.stringify(info)}`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'counts') {
      const counts: SeededServerCounts = {
        jobs: server.objects('Job').length,
        pods: server.objects('Pod').length,
        configMaps: server.objects('ConfigMap').length,
        calls: Object.fromEntries(Object.entries(server.callCounts()).filter(([, n]) => n > 0)),
      };
      console.log(`COUNTS ${JSON.stringify(counts)}`);
    } else if (line === 'stop') {
      break;
    }
  }
  await server.stop();
  process.exit(0);
}

main(JSON.parse(process.argv[2]) as SeededServerOptions).catch((error: Error) => {
  console.error(`FAILED: ${error.message}`);
  process.exit(1);
});
