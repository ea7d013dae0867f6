import type { KubeConfig } from '@kubernetes/client-node';
import { DeployerEnvironment } from '#libs/config';
import type { RetryPolicy } from './api-retry.js';
import { KeptAliveAuthentication } from './kept-alive.authentication.js';
import { KubernetesRepository } from './kubernetes.repository.js';

/** Where the connection to the cluster is read from: a kubeconfig file, else the in-cluster service account. */
export interface KubeConfigSource {
  kubeconfigPath?: string;
}

/**
 * Opens the Kubernetes API of one namespace. @kubernetes/client-node weighs
 * some 85 MiB of resident memory once loaded, so it is loaded here, on first
 * use, and a process that never talks to a cluster (the API with the local
 * driver, the local worker) never carries it.
 */
export async function openKubernetesRepository(source: KubeConfigSource, namespace: string, policy: RetryPolicy): Promise<KubernetesRepository> {
  const client = await import('@kubernetes/client-node');
  const kubeConfig: KubeConfig = new client.KubeConfig();
  if (source.kubeconfigPath) kubeConfig.loadFromFile(source.kubeconfigPath);
  else kubeConfig.loadFromCluster();
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  // As KubeConfig.makeApiClient does, but with connections kept alive from one call to the next.
  const configuration = client.createConfiguration({
    baseServer: new client.ServerConfiguration(cluster.server, {}),
    authMethods: { default: new KeptAliveAuthentication(kubeConfig) },
    middleware: [client.setHeaderMiddleware('User-Agent', 'openserverless-deployer')],
  });
  return new KubernetesRepository(
    { kubeConfig, core: new client.CoreV1Api(configuration), batch: new client.BatchV1Api(configuration), watcher: new client.Watch(kubeConfig) },
    namespace,
    policy,
  );
}

/** KUBECONFIG when given, the in-cluster service account otherwise; namespace and retries from the configuration. */
export const kubernetesRepositoryFrom = (config: DeployerEnvironment): Promise<KubernetesRepository> =>
  openKubernetesRepository({ kubeconfigPath: config.KUBECONFIG || undefined }, config.KUBE_NAMESPACE, {
    retries: config.KUBE_API_RETRIES,
    baseDelayMs: config.KUBE_API_RETRY_BASE_MS,
  });
