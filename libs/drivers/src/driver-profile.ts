import type { BuildDriverName, DeployerEnvironment } from '#libs/config';

/**
 * What the processes that never run a build (the API, the registry client)
 * may know of the configured driver: its traits, never its name, so that
 * adding a driver is one more profile here and no branch anywhere else.
 */
export interface DriverProfile {
  /** Where builds push when neither the service, the user nor the cluster names a registry. */
  defaultRegistryHost: string;
  /** Builds run in a Kubernetes cluster, whose Operator announces the registry hosts (ConfigMap `config`). */
  inCluster: boolean;
  /**
   * Finished builds leave objects that only a worker can reach (Kubernetes
   * Jobs): a requested cleanup waits for a worker and answers with the count
   * of those. Otherwise the records are the builds: the API deletes them and
   * leaves what they left in the builder (local images) to a worker.
   */
  buildsOutliveTheirRecords: boolean;
}

const PROFILES: Record<BuildDriverName, DriverProfile> = {
  local: { defaultRegistryHost: '127.0.0.1:5001', inCluster: false, buildsOutliveTheirRecords: false },
  kubernetes: { defaultRegistryHost: 'nuvolaris-registry-svc:5000', inCluster: true, buildsOutliveTheirRecords: true },
};

export const driverProfileOf = (config: Pick<DeployerEnvironment, 'BUILD_DRIVER'>): DriverProfile => PROFILES[config.BUILD_DRIVER];

/** Every driver's default registry host: each is one of the deployer's own registries, whichever driver runs. */
export const DEFAULT_REGISTRY_HOSTS: readonly string[] = Object.values(PROFILES).map((profile) => profile.defaultRegistryHost);
