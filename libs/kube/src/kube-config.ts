import { DeployerEnvironment } from '#libs/config';
import type { RetryPolicy } from './api-retry.js';
import { loadKubeConnection, type KubeConfigSource } from './kube-connection.js';
import { KubeHttpClient } from './kube-http.client.js';
import { KubernetesRepository } from './kubernetes.repository.js';

export type { KubeConfigSource } from './kube-connection.js';

/**
 * Opens the Kubernetes API of one namespace, through our own small REST
 * client over kept-alive connections. Objects travel as the API's JSON: the
 * types of @kubernetes/client-node describe them, but its runtime (some
 * 85 MiB of resident memory) is never loaded.
 */
export async function openKubernetesRepository(source: KubeConfigSource, namespace: string, policy: RetryPolicy): Promise<KubernetesRepository> {
  return new KubernetesRepository(new KubeHttpClient(await loadKubeConnection(source)), namespace, policy);
}

/** KUBECONFIG when given, the in-cluster service account otherwise; namespace and retries from the configuration. */
export const kubernetesRepositoryFrom = (config: DeployerEnvironment): Promise<KubernetesRepository> =>
  openKubernetesRepository({ kubeconfigPath: config.KUBECONFIG || undefined }, config.KUBE_NAMESPACE, {
    retries: config.KUBE_API_RETRIES,
    baseDelayMs: config.KUBE_API_RETRY_BASE_MS,
  });
