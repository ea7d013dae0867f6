import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseRoute } from './api-route.js';
import { CallRecorder, type KubeVerb, type RecordedCall } from './call-recorder.js';
import { FaultInjector, type FaultOptions } from './fault-injector.js';
import { bearerToken, readJsonBody, writeJson, writeStatusError } from './http-exchange.js';
import { cloneObject, type KubeObject, type StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import { writeKubeconfig, type KubeconfigFile } from './kubeconfig-writer.js';
import { RestHandler, verbOf } from './rest-handler.js';
import type { ChangeListener } from './object-store.js';
import { resourceByKind, type KindName } from './resource-catalog.js';
import type { ScenarioScript } from './scenario.js';
import { SimulatedCluster, type ClusterOptions } from './simulated-cluster.js';

export interface KubeApiTestServerOptions extends Partial<ClusterOptions> {
  /** Bearer token clients must present; random by default. */
  token?: string;
  /** Namespace created at start and set in the kubeconfig context (default `nuvolaris`). */
  namespace?: string;
  /** Seed of the PRNG behind fault injection (default 42). */
  seed?: number;
}

/**
 * A Kubernetes API test double on 127.0.0.1: real REST paths, Status errors,
 * watch streams and pod logs for configmaps, secrets, pods, jobs and
 * namespaces, plus a simulated job controller, kubelet and garbage collector.
 */
export class KubeApiTestServer {
  readonly token: string;
  readonly namespace: string;
  private readonly server: Server;
  private readonly recorder = new CallRecorder();
  private readonly faultInjector: FaultInjector;
  private readonly cluster: SimulatedCluster;
  private readonly rest: RestHandler;
  private kubeconfig?: KubeconfigFile;

  constructor(options: KubeApiTestServerOptions = {}) {
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.namespace = options.namespace ?? 'nuvolaris';
    this.faultInjector = new FaultInjector(options.seed ?? 42);
    this.cluster = new SimulatedCluster({ timeScale: 1, podCreateDelayMs: 10, gcDelayMs: 10, bookmarkIntervalMs: 1000, watchHistorySize: 5000, ...options }, [this.namespace]);
    this.rest = new RestHandler(this.cluster.store, this.cluster.service, this.cluster.deleter);
    this.server = createServer((request, response) => void this.serve(request, response));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.cluster.start();
    this.kubeconfig = await writeKubeconfig(this.url, this.token, this.namespace);
  }

  async stop(): Promise<void> {
    this.cluster.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.kubeconfig?.remove();
  }

  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (!address) throw new Error('KubeApiTestServer is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  get kubeconfigPath(): string {
    if (!this.kubeconfig) throw new Error('KubeApiTestServer is not started');
    return this.kubeconfig.path;
  }

  /** Chooses the Scenario of each new Job's pods; undefined (or no script) runs the default quick success. */
  script(script: ScenarioScript | undefined): void {
    this.cluster.script = script;
  }

  /** Replaces the fault configuration; call with no argument to stop injecting faults. */
  faults(options: FaultOptions = {}): void {
    this.faultInjector.configure(options);
  }

  dropAllWatches(): void {
    this.cluster.watches.closeAll();
  }

  /** Forgets the change history, so older resourceVersions answer 410 Expired. */
  compact(): void {
    this.cluster.store.compact();
  }

  objects(kind: KindName, namespace?: string): StoredObject[] {
    return this.cluster.store.list(resourceByKind(kind), namespace);
  }

  /**
   * Stores an object as a create through the API would (defaults, validation,
   * uid), then writes its status, when given, as its controller would: large
   * fixtures without a round trip per object. A Job seeded finished and a Pod
   * seeded ended are left alone by the job controller and the kubelet.
   */
  seed(kind: KindName, object: KubeObject, status?: Record<string, unknown>): StoredObject {
    const resource = resourceByKind(kind);
    const created = this.cluster.service.create(resource, object, resource.namespaced ? (object.metadata.namespace ?? this.namespace) : undefined);
    return cloneObject((status && this.cluster.service.writeStatus(resource, created, status)) || created);
  }

  /**
   * Every change as it is stored, in this process: what a watch of everything
   * would report, without a watch's cost on the server (for a benchmark timing
   * the objects a client creates).
   */
  onChange(listener: ChangeListener): () => void {
    return this.cluster.store.subscribe(listener);
  }

  get calls(): readonly RecordedCall[] {
    return this.recorder.calls;
  }

  callCounts(): Record<KubeVerb, number> {
    return this.recorder.countsByVerb();
  }

  /** Back to a fresh cluster: no objects but the namespaces, no calls, faults, script or open watches. */
  reset(): void {
    this.recorder.clear();
    this.faultInjector.clear();
    this.cluster.reset();
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const call: RecordedCall = { method, path: url.pathname, query: url.search, verb: 'unknown', status: 0 };
    this.recorder.record(call);
    try {
      const latency = this.faultInjector.latencyMs(method, url.pathname);
      if (latency > 0) await sleep(latency);
      const fault = this.faultInjector.decide(method, url.pathname);
      if (fault.kind === 'drop') {
        request.socket.destroy();
        return;
      }
      if (fault.kind === 'error') throw statusErrors.internal('injected fault');
      if (fault.kind === 'tooManyRequests') throw statusErrors.tooManyRequests();
      if (bearerToken(request) !== this.token) throw statusErrors.unauthorized();
      const route = parseRoute(url.pathname);
      call.verb = verbOf(method, route, url.searchParams);
      const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readJsonBody(request) : undefined;
      const reply = this.rest.handle({ method, route, query: url.searchParams, contentType: request.headers['content-type'] ?? 'application/json', body });
      if (reply.kind === 'json') {
        writeJson(response, reply.code, reply.body, reply.warnings);
        call.status = reply.code;
      } else if (reply.kind === 'watch') {
        this.cluster.watches.open({ ...reply.watch, endAfterMs: this.faultInjector.watchLifetimeMs(method, url.pathname) }, response);
        call.status = 200;
      } else {
        this.cluster.podLogs.handle(route, url.searchParams, response);
        call.status = 200;
      }
    } catch (error) {
      call.status = writeStatusError(response, error);
    }
  }
}
