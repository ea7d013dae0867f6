import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KubernetesRepository } from '#libs/kube';
import { ClusterRegistryHost, isRegistryHost } from '#libs/registry';

const CONFIG_MAP = 'config';
const ANNOTATION = 'registry_host';
const REFRESH_MS = 60_000;

/**
 * The `registry_host` annotation of the Operator's ConfigMap `config`, read at
 * start and refreshed in the background, so the request path never waits on
 * the Kubernetes API.
 */
@Injectable()
export class OperatorRegistryHost extends ClusterRegistryHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OperatorRegistryHost.name);
  private host?: string;
  private timer?: NodeJS.Timeout;

  constructor(private readonly kube: KubernetesRepository) {
    super();
  }

  current(): string | undefined {
    return this.host;
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
      const announced = (await this.kube.readConfigMap(CONFIG_MAP))?.metadata?.annotations?.[ANNOTATION]?.trim();
      if (announced && !isRegistryHost(announced)) this.logger.warn(`Ignoring ${CONFIG_MAP}/${ANNOTATION}: not a host[:port]`);
      this.host = announced && isRegistryHost(announced) ? announced : undefined;
    } catch (error) {
      this.logger.warn(`Cannot read ConfigMap ${CONFIG_MAP}: ${(error as Error).message}`);
    }
  }
}
