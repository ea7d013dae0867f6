import { GarbageCollector } from './garbage-collector.js';
import { JobController } from './job-controller.js';
import type { StoredObject } from './kube-object.js';
import { KubeletSimulator } from './kubelet-simulator.js';
import { ObjectDeleter } from './object-deleter.js';
import { ObjectService } from './object-service.js';
import { ObjectStore } from './object-store.js';
import { PodLogHandler } from './pod-log.handler.js';
import { PodLogStore } from './pod-log-store.js';
import { resourceByKind } from './resource-catalog.js';
import { DEFAULT_SCENARIO, type Scenario, type ScenarioScript } from './scenario.js';
import { WatchHub } from './watch-hub.js';

export interface ClusterOptions {
  /** Multiplies Kubernetes durations in seconds (activeDeadlineSeconds, ttlSecondsAfterFinished, retry back-off): 0.01 turns 1 s into 10 ms. */
  timeScale: number;
  podCreateDelayMs: number;
  gcDelayMs: number;
  bookmarkIntervalMs: number;
  watchHistorySize: number;
}

/** The control plane and node behind the HTTP surface: store, controllers, kubelet, logs and watches. */
export class SimulatedCluster {
  readonly store: ObjectStore;
  readonly service: ObjectService;
  readonly deleter: ObjectDeleter;
  readonly watches: WatchHub;
  readonly logs = new PodLogStore();
  readonly podLogs: PodLogHandler;
  script?: ScenarioScript;
  private readonly collector: GarbageCollector;
  private readonly jobs: JobController;
  private readonly kubelet: KubeletSimulator;

  constructor(
    options: ClusterOptions,
    private readonly namespaces: string[],
  ) {
    this.store = new ObjectStore(options.watchHistorySize);
    this.service = new ObjectService(this.store);
    this.deleter = new ObjectDeleter(this.store, options.gcDelayMs);
    this.collector = new GarbageCollector(this.store, (resource, object) => this.deleter.deleteQuietly(resource, object, 'Background'), options.gcDelayMs);
    this.deleter.attach(this.collector);
    this.watches = new WatchHub(this.store, options.bookmarkIntervalMs);
    this.podLogs = new PodLogHandler(this.store, this.logs);
    this.jobs = new JobController(this.store, this.service, this.deleter, options);
    this.kubelet = new KubeletSimulator(this.store, this.service, this.logs, (pod) => this.scenarioFor(pod));
    this.createNamespaces();
  }

  start(): void {
    this.collector.start();
    this.jobs.start();
    this.kubelet.start();
  }

  stop(): void {
    this.watches.closeAll();
    this.kubelet.stop();
    this.jobs.stop();
    this.collector.stop();
    this.logs.clear();
  }

  reset(): void {
    this.stop();
    this.script = undefined;
    this.store.clear();
    this.createNamespaces();
    this.start();
  }

  private scenarioFor(pod: StoredObject): Scenario {
    const owner = (pod.metadata.ownerReferences ?? []).find((reference) => reference.controller && reference.kind === 'Job');
    const job = owner && this.store.findByUid(owner.uid);
    return { ...DEFAULT_SCENARIO, ...((job && this.script?.(job.object)) ?? {}) };
  }

  private createNamespaces(): void {
    for (const name of new Set(['default', ...this.namespaces])) {
      this.service.create(resourceByKind('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, undefined);
    }
  }
}
