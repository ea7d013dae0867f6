import type { BatchV1Api, CoreV1Api, KubeConfig, V1ConfigMap, V1Job, V1Pod, V1Secret, Watch } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { RetryAfterGate, RetryPolicy, withApiRetries } from './api-retry.js';
import { isNotFound } from './kubernetes-api.error.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface Page<T> {
  items: T[];
  continueToken?: string;
  resourceVersion?: string;
}

/** The clients of @kubernetes/client-node a repository calls through (see openKubernetesRepository). */
export interface KubeClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  batch: BatchV1Api;
  watcher: Watch;
}

/**
 * The Kubernetes API as the deployer uses it, in one namespace. Every call is
 * retried on 5xx, 429 and network faults; NotFound reads answer null.
 */
export class KubernetesRepository {
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;
  private readonly watcher: Watch;
  private readonly retryAfter = new RetryAfterGate();

  private readonly kubeConfig: KubeConfig;

  constructor(
    clients: KubeClients,
    readonly namespace: string,
    private readonly policy: RetryPolicy,
  ) {
    ({ kubeConfig: this.kubeConfig, core: this.core, batch: this.batch, watcher: this.watcher } = clients);
  }

  private call<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withApiRetries(fn, this.policy, signal, this.retryAfter);
  }

  private async orNull<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await this.call(fn);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private async deleted(fn: () => Promise<unknown>): Promise<boolean> {
    return (await this.orNull(fn)) !== null;
  }

  createJob(body: V1Job): Promise<V1Job> {
    return this.call(() => this.batch.createNamespacedJob({ namespace: this.namespace, body }));
  }

  readJob(name: string): Promise<V1Job | null> {
    return this.orNull(() => this.batch.readNamespacedJob({ name, namespace: this.namespace }));
  }

  deleteJob(name: string, propagationPolicy: PropagationPolicy = 'Background'): Promise<boolean> {
    return this.deleted(() => this.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy }));
  }

  async listJobs(labelSelector: string, limit = 500, continueToken?: string): Promise<Page<V1Job>> {
    const list = await this.call(() =>
      this.batch.listNamespacedJob({ namespace: this.namespace, labelSelector, limit, _continue: continueToken }),
    );
    return { items: list.items, continueToken: list.metadata?._continue || undefined, resourceVersion: list.metadata?.resourceVersion };
  }

  createConfigMap(body: V1ConfigMap): Promise<V1ConfigMap> {
    return this.call(() => this.core.createNamespacedConfigMap({ namespace: this.namespace, body }));
  }

  readConfigMap(name: string): Promise<V1ConfigMap | null> {
    return this.orNull(() => this.core.readNamespacedConfigMap({ name, namespace: this.namespace }));
  }

  replaceConfigMap(body: V1ConfigMap): Promise<V1ConfigMap> {
    const name = String(body.metadata?.name);
    return this.call(() => this.core.replaceNamespacedConfigMap({ name, namespace: this.namespace, body }));
  }

  deleteConfigMap(name: string): Promise<boolean> {
    return this.deleted(() => this.core.deleteNamespacedConfigMap({ name, namespace: this.namespace }));
  }

  async listConfigMaps(labelSelector: string, limit = 500, continueToken?: string): Promise<Page<V1ConfigMap>> {
    const list = await this.call(() =>
      this.core.listNamespacedConfigMap({ namespace: this.namespace, labelSelector, limit, _continue: continueToken }),
    );
    return { items: list.items, continueToken: list.metadata?._continue || undefined };
  }

  createSecret(body: V1Secret): Promise<V1Secret> {
    return this.call(() => this.core.createNamespacedSecret({ namespace: this.namespace, body }));
  }

  readSecret(name: string): Promise<V1Secret | null> {
    return this.orNull(() => this.core.readNamespacedSecret({ name, namespace: this.namespace }));
  }

  deleteSecret(name: string): Promise<boolean> {
    return this.deleted(() => this.core.deleteNamespacedSecret({ name, namespace: this.namespace }));
  }

  async listSecrets(labelSelector: string, limit = 500, continueToken?: string): Promise<Page<V1Secret>> {
    const list = await this.call(() =>
      this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector, limit, _continue: continueToken }),
    );
    return { items: list.items, continueToken: list.metadata?._continue || undefined };
  }

  async listPods(labelSelector: string): Promise<Page<V1Pod>> {
    const list = await this.call(() => this.core.listNamespacedPod({ namespace: this.namespace, labelSelector }));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
  }

  /**
   * Watches jobs or pods of the namespace until the server ends the stream,
   * the connection drops, or `signal` aborts; resolves in every case.
   */
  async watch<T>(
    resource: 'jobs' | 'pods',
    query: { labelSelector?: string; fieldSelector?: string; resourceVersion?: string; timeoutSeconds?: number },
    onEvent: (type: WatchEventType, object: T) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const path =
      resource === 'jobs' ? `/apis/batch/v1/namespaces/${this.namespace}/jobs` : `/api/v1/namespaces/${this.namespace}/pods`;
    const params = Object.fromEntries(Object.entries({ ...query, allowWatchBookmarks: true }).filter(([, v]) => v !== undefined));
    await new Promise<void>((resolve) => {
      this.watcher
        .watch(path, params, (type, object) => onEvent(type as WatchEventType, object as T), () => resolve())
        .then((controller) => {
          if (signal.aborted) controller.abort();
          else signal.addEventListener('abort', () => controller.abort(), { once: true });
        })
        .catch(() => resolve());
    });
  }

  /**
   * Follows a container's log line by line until it ends, the connection
   * drops or `signal` aborts. Plain http(s) rather than the client's Log, so
   * that every stream error is handled here instead of escaping the process.
   */
  async followLog(pod: string, container: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(`${cluster.server}/api/v1/namespaces/${this.namespace}/pods/${encodeURIComponent(pod)}/log`);
    url.searchParams.set('container', container);
    url.searchParams.set('follow', 'true');
    const options: https.RequestOptions = { method: 'GET', headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const client = url.protocol === 'https:' ? https : http;
    await new Promise<void>((resolve, reject) => {
      const request = client.request(url, { ...options, signal }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`log of ${pod}/${container}: HTTP ${response.statusCode}`));
          return;
        }
        let pending = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const parts = (pending + chunk).split(/\r?\n/);
          pending = parts.pop() ?? '';
          for (const part of parts) onLine(part);
        });
        response.on('end', () => {
          if (pending) onLine(pending);
          resolve();
        });
        response.on('error', () => resolve());
        response.on('aborted', () => resolve());
      });
      request.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
      request.end();
    });
  }
}
