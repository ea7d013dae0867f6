import { KubeConfig } from '@kubernetes/client-node';
import { DeployerEnvironment } from '#libs/config';

/** KUBECONFIG when given, the in-cluster service account otherwise. */
export function loadKubeConfig(config: DeployerEnvironment): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (config.KUBECONFIG) kubeConfig.loadFromFile(config.KUBECONFIG);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}
