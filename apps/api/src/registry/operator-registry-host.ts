import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KubernetesRepository } from '#libs/kube';
import { isRegistryHost } from '#libs/images';
import { AnnouncedRegistryHosts, ClusterRegistryHost } from '#libs/registry';

const CONFIG_MAP = 'config';
const REFRESH_MS = 60_000;

/** The annotations of ConfigMap `config` the Operator (and installs after it) write. */
const ANNOTATIONS: Record<keyof AnnouncedRegistryHosts, string> = {
  push: 'registry_push_host',
  internal: 'registry_internal_host',
  pull: 'registry_pull_host',
  host: 'registry_host',
};

/**
 * The registry annotations of the Operator's ConfigMap `config`, read at
 * start and refreshed in the background, so the request path never waits on
 * the Kubernetes API.
 */
@Injectable()
export class OperatorRegistryHost extends ClusterRegistryHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OperatorRegistryHost.name);
  private hosts: AnnouncedRegistryHosts = {};
  private timer?: NodeJS.Timeout;

  constructor(private readonly kube: KubernetesRepository) {
    super();
  }

  announced(): AnnouncedRegistryHosts {
    return this.hosts;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      const annotations = (await this.kube.readConfigMap(CONFIG_MAP))?.metadata?.annotations ?? {};
      const hosts: AnnouncedRegistryHosts = {};
      for (const [direction, name] of Object.entries(ANNOTATIONS) as [keyof AnnouncedRegistryHosts, string][]) {
        const value = annotations[name]?.trim();
        if (!value) continue;
        if (isRegistryHost(value)) hosts[direction] = value;
        else this.logger.warn(`Ignoring ${CONFIG_MAP}/${name}: not a host[:port]`);
      }
      this.hosts = hosts;
    } catch (error) {
      this.logger.warn(`Cannot read ConfigMap ${CONFIG_MAP}: ${(error as Error).message}`);
    }
  }
}
