import { readFile } from 'node:fs/promises';
import { KubernetesRepository, isAlreadyExists } from '#libs/kube';

/** How long a ConfigMap seen (or made) is trusted to still be there before it is read again. */
const TRUSTED_FOR_MS = 60_000;

export interface BuildkitdConfigMapOptions {
  name: string;
  /** buildkitd.toml of the ConfigMap made when it is missing. */
  tomlPath: string;
  trustedForMs?: number;
  now?: () => number;
}

/**
 * The buildkitd ConfigMap every build Job mounts, made from buildkitd.toml
 * when missing. Every build needs it, and it is almost never removed: once
 * seen it is trusted for a minute, and concurrent builds share one check, so
 * a burst of builds costs one read rather than one each. A ConfigMap removed
 * by hand is made again within that minute.
 */
export class BuildkitdConfigMap {
  private seenAt = -Infinity;
  private checking?: Promise<void>;
  private readonly trustedForMs: number;
  private readonly now: () => number;

  constructor(
    private readonly kube: KubernetesRepository,
    private readonly options: BuildkitdConfigMapOptions,
  ) {
    this.trustedForMs = options.trustedForMs ?? TRUSTED_FOR_MS;
    this.now = options.now ?? Date.now;
  }

  ensure(): Promise<void> {
    if (this.now() - this.seenAt < this.trustedForMs) return Promise.resolve();
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<void> {
    if (!(await this.kube.readConfigMap(this.options.name))) await this.create();
    this.seenAt = this.now();
  }

  private async create(): Promise<void> {
    const toml = await readFile(this.options.tomlPath, 'utf8');
    try {
      await this.kube.createConfigMap({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: this.options.name, labels: { 'app.kubernetes.io/managed-by': 'openserverless-deployer' } },
        data: { 'buildkitd.toml': toml },
      });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
}
