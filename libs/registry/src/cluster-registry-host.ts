/**
 * The platform's registry host as the cluster announces it (the Operator's
 * ConfigMap), when the service runs with the kubernetes driver.
 */
export abstract class ClusterRegistryHost {
  abstract current(): string | undefined;
}
