import { randomBytes } from 'node:crypto';
import { KubeApiTestServer } from '../test/support/kube-api-server/index.js';
import { BenchDeployment } from './bench-deployment.js';
import { ChildServer, startApiProcess, startWorkerProcess } from './deployer-process.js';
import { JobCreationWatch } from './job-creation-watch.js';

/**
 * What the dispatch benchmarks measure against: the Kubernetes API test
 * server (with `latencyMs` on every call, Jobs that succeed at once), a
 * deployment on it, a watch of Job creations and an API process. The worker
 * starts when the benchmark says, so a backlog can be queued before it.
 */
export interface KubeDispatchRig {
  server: KubeApiTestServer;
  deployment: BenchDeployment;
  watch: JobCreationWatch;
  api: { server: ChildServer; url: string };
  startWorker(): Promise<ChildServer>;
  /** Stops the worker, the API, the watch and the server, then the deployment. */
  stop(): Promise<void>;
}

export async function startKubeDispatchRig(env: NodeJS.ProcessEnv, latencyMs: number, settings: Record<string, string>): Promise<KubeDispatchRig> {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  await server.start();
  const digest = `sha256:${randomBytes(32).toString('hex')}`;
  server.script(() => ({ outcome: 'succeed', startDelayMs: 0, logLines: ['#1 DONE'], lineIntervalMs: 0, terminationMessage: JSON.stringify({ 'containerimage.digest': digest }) }));
  server.faults({ latencyMs });
  const deployment = new BenchDeployment(env, {
    BUILD_DRIVER: 'kubernetes',
    KUBECONFIG: server.kubeconfigPath,
    READ_BASE_IMAGE_CONFIG: 'false',
    ...settings,
  });
  const watch = new JobCreationWatch(server.url, server.token, server.namespace);
  watch.start();
  const api = await startApiProcess(deployment.env);
  let worker: ChildServer | undefined;
  return {
    server,
    deployment,
    watch,
    api,
    async startWorker() {
      worker = await startWorkerProcess(deployment.env, deployment.queue);
      return worker;
    },
    async stop() {
      await worker?.stop();
      await api.server.stop();
      await watch.stop();
      await server.stop();
      await deployment.close();
    },
  };
}
