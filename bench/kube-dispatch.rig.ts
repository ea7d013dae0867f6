import { randomBytes } from 'node:crypto';
import { BenchDeployment } from './bench-deployment.js';
import { ChildServer, startApiProcess, startWorkerProcess } from './deployer-process.js';
import { JobCreationWatch } from './job-creation-watch.js';
import { KubeApiServerChild, startKubeApiServerChild } from './kube-api.server-child.js';

/**
 * What the dispatch benchmarks measure against: the Kubernetes API test
 * server in a process of its own (with `latencyMs` on every call, Jobs that
 * succeed at once), a deployment on it, a watch of Job creations and an API
 * process. The worker starts when the benchmark says, so a backlog can be
 * queued before it.
 */
export interface KubeDispatchRig {
  server: KubeApiServerChild;
  deployment: BenchDeployment;
  watch: JobCreationWatch;
  api: { server: ChildServer; url: string };
  startWorker(): Promise<ChildServer>;
  /** Stops the worker, the API, the watch and the server, then the deployment. */
  stop(): Promise<void>;
}

export async function startKubeDispatchRig(env: NodeJS.ProcessEnv, latencyMs: number, settings: Record<string, string>): Promise<KubeDispatchRig> {
  const digest = `sha256:${randomBytes(32).toString('hex')}`;
  const server = await startKubeApiServerChild({
    timeScale: 0.01,
    latencyMs,
    scenario: { outcome: 'succeed', startDelayMs: 0, logLines: ['#1 DONE'], lineIntervalMs: 0, terminationMessage: JSON.stringify({ 'containerimage.digest': digest }) },
  });
  const deployment = new BenchDeployment(env, {
    BUILD_DRIVER: 'kubernetes',
    KUBECONFIG: server.info.kubeconfigPath,
    READ_BASE_IMAGE_CONFIG: 'false',
    ...settings,
  });
  const watch = new JobCreationWatch(server.info.url, server.info.token, server.info.namespace);
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
