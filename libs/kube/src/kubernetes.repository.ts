import type { V1ConfigMap, V1Job, V1Pod, V1Secret } from '@kubernetes/client-node';
import { RetryAfterGate, RetryPolicy, withApiRetries } from './api-retry.js';
import { KubeApiException, KubeHttpClient, type Query } from './kube-http.client.js';
import { isNotFound } from './kubernetes-api.error.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface Page<T> {
  items: T[];
  continueToken?: string;
  resourceVersion?: string;
}

/**
 * The Kubernetes API as the deployer uses it, in one namespace. Every call is
 * retried on 5xx, 429 and network faults; NotFound reads answer null.
 */
export class KubernetesRepository {
  private readonly retryAfter = new RetryAfterGate();
  private readonly batch: string;
  private readonly core: string;

  constructor(
    private readonly http: KubeHttpClient,
    readonly namespace: string,
    private readonly policy: RetryPolicy,
  ) {
    this.batch = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}`;
    this.core = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
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

  private create<T>(collection: string, body: T): Promise<T> {
    return this.call(() => this.http.json<T>('POST', collection, { body }));
  }

  private read<T>(collection: string, name: string): Promise<T | null> {
    return this.orNull(() => this.http.json<T>('GET', `${collection}/${encodeURIComponent(name)}`));
  }

  private remove(collection: string, name: string, query?: Query): Promise<boolean> {
    return this.deleted(() => this.http.json('DELETE', `${collection}/${encodeURIComponent(name)}`, { query }));
  }

  private async list<T>(collection: string, query: Query): Promise<Page<T>> {
    const list = await this.call(() => this.http.json<KubeList<T>>('GET', collection, { query }));
    return { items: list.items ?? [], continueToken: list.metadata?.continue || undefined, resourceVersion: list.metadata?.resourceVersion };
  }

  createJob(body: V1Job): Promise<V1Job> {
    return this.create(`${this.batch}/jobs`, body);
  }

  readJob(name: string): Promise<V1Job | null> {
    return this.read(`${this.batch}/jobs`, name);
  }

  deleteJob(name: string, propagationPolicy: PropagationPolicy = 'Background'): Promise<boolean> {
    return this.remove(`${this.batch}/jobs`, name, { propagationPolicy });
  }

  listJobs(labelSelector: string, limit = 500, continueToken?: string): Promise<Page<V1Job>> {
    return this.list(`${this.batch}/jobs`, { labelSelector, limit, continue: continueToken });
  }

  createConfigMap(body: V1ConfigMap): Promise<V1ConfigMap> {
    return this.create(`${this.core}/configmaps`, body);
  }

  readConfigMap(name: string): Promise<V1ConfigMap | null> {
    return this.read(`${this.core}/configmaps`, name);
  }

  replaceConfigMap(body: V1ConfigMap): Promise<V1ConfigMap> {
    const name = String(body.metadata?.name);
    return this.call(() => this.http.json<V1ConfigMap>('PUT', `${this.core}/configmaps/${encodeURIComponent(name)}`, { body }));
  }

  deleteConfigMap(name: string): Promise<boolean> {
    return this.remove(`${this.core}/configmaps`, name);
  }

  listConfigMaps(labelSelector: string, limit = 500, continueToken?: string): Promise<Page<V1ConfigMap>> {
    return this.list(`${this.core}/configmaps`, { labelSelector, limit, continue: continueToken });
  }

  createSecret(body: V1Secret): Promise<V1Secret> {
    return this.create(`${this.core}/secrets`, body);
  }

  readSecret(name: string): Promise<V1Secret | null> {
    return this.read(`${this.core}/secrets`, name);
  }

  deleteSecret(name: string): Promise<boolean> {
    return this.remove(`${this.core}/secrets`, name);
  }

  listSecrets(labelSelector: string, limit = 500, continueToken?: string): Promise<Page<V1Secret>> {
    return this.list(`${this.core}/secrets`, { labelSelector, limit, continue: continueToken });
  }

  listPods(labelSelector: string, limit?: number): Promise<Page<V1Pod>> {
    return this.list(`${this.core}/pods`, { labelSelector, limit });
  }

  /**
   * Watches jobs or pods of the namespace until the server ends the stream,
   * the connection drops, or `signal` aborts; resolves in every case. An
   * event whose line `wanted` refuses is skipped unparsed.
   */
  async watch<T>(
    resource: 'jobs' | 'pods',
    query: { labelSelector?: string; fieldSelector?: string; resourceVersion?: string; timeoutSeconds?: number },
    onEvent: (type: WatchEventType, object: T) => void,
    signal: AbortSignal,
    wanted?: (line: string) => boolean,
  ): Promise<void> {
    const path = resource === 'jobs' ? `${this.batch}/jobs` : `${this.core}/pods`;
    const onLine = (line: string) => {
      if (!line.trim() || (wanted && !wanted(line))) return;
      let event: { type?: WatchEventType; object?: T };
      try {
        event = JSON.parse(line) as { type?: WatchEventType; object?: T };
      } catch {
        return;
      }
      if (event.type && event.object !== undefined) onEvent(event.type, event.object);
    };
    await this.http.lines(path, { ...query, watch: true, allowWatchBookmarks: true }, onLine, signal).catch(() => undefined);
  }

  /**
   * Follows a container's log line by line until it ends, the connection
   * drops or `signal` aborts.
   */
  async followLog(pod: string, container: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    try {
      await this.http.lines(`${this.core}/pods/${encodeURIComponent(pod)}/log`, { container, follow: true }, onLine, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof KubeApiException) throw new Error(`log of ${pod}/${container}: HTTP ${error.code}`);
      throw error;
    }
  }
}

interface KubeList<T> {
  items?: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}
