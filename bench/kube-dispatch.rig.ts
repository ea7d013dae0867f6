import { randomBytes } from 'node:crypto';
import { BenchDeployment } from './bench-deployment.js';
import { ChildServer, startApiProcess, startWorkerProcess } from './deployer-process.js';
import { JobCreationTimes } from './job-creation-times.js';
import { KubeApiServerChild, startKubeApiServerChild } from './kube-api.server-child.js';

/**
 * What the dispatch benchmarks measure against: the Kubernetes API test
 * server in a process of its own (with `latencyMs` on every call, Jobs that
 * succeed at once), a deployment on it, the times its Jobs are stored and an API
 * process. The worker starts when the benchmark says, so a backlog can be
 * queued before it.
 */
export interface KubeDispatchRig {
  server: KubeApiServerChild;
  deployment: BenchDeployment;
  creations: JobCreationTimes;
  api: { server: ChildServer; url: string };
  startWorker(): Promise<ChildServer>;
  /** Stops the worker, the API and the server, then the deployment. */
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
  const creations = new JobCreationTimes(server);
  const api = await startApiProcess(deployment.env);
  let worker: ChildServer | undefined;
  return {
    server,
    deployment,
    creations,
    api,
    async startWorker() {
      worker = await startWorkerProcess(deployment.env, deployment.queue);
      return worker;
    },
    async stop() {
      await worker?.stop();
      await api.server.stop();
      await server.stop();
      await deployment.close();
    },
  };
}
