/**
 * The registry hosts the cluster announces (annotations of the Operator's
 * ConfigMap `config`), when builds run in a cluster.
 * Each is a valid `host[:port]` or absent.
 */
export interface AnnouncedRegistryHosts {
  /** `registry_push_host`: where builds push, when the Operator names it. */
  push?: string;
  /** `registry_internal_host`: the registry's in-cluster Service. */
  internal?: string;
  /** `registry_pull_host`: where nodes pull, when the Operator names it. */
  pull?: string;
  /** `registry_host`: the host nodes pull from (e.g. `127.0.0.1:32000`). */
  host?: string;
}

export abstract class ClusterRegistryHost {
  abstract announced(): AnnouncedRegistryHosts;
}
