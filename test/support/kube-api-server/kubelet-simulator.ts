import { setTimeout as sleep } from 'node:timers/promises';
import { condition, runningStatus, terminatedStatus, timestamp, waitingStatus, type ContainerStatus } from './container-status.js';
import { arrayAt, recordAt, type StoredObject } from './kube-object.js';
import type { ObjectService } from './object-service.js';
import type { ObjectStore, StoreChange } from './object-store.js';
import { PodDependencies } from './pod-dependencies.js';
import type { PodLogStore } from './pod-log-store.js';
import { resourceByKind } from './resource-catalog.js';
import type { Scenario } from './scenario.js';

const POLL_MS = 25;
const pods = resourceByKind('Pod');

interface PodRun {
  pod: StoredObject;
  status: Record<string, unknown>;
  signal: AbortSignal;
}

/**
 * A single fake node: every new Pod is scheduled to it and its containers run
 * as the Scenario says, with the status transitions, waiting reasons and log
 * lines a real kubelet would report. Deleting the pod stops it.
 */
export class KubeletSimulator {
  private readonly runs = new Map<string, AbortController>();
  private readonly dependencies: PodDependencies;
  private unsubscribe?: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly service: ObjectService,
    private readonly logs: PodLogStore,
    private readonly scenarioFor: (pod: StoredObject) => Scenario,
  ) {
    this.dependencies = new PodDependencies(store);
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((change) => this.onChange(change));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const controller of this.runs.values()) controller.abort();
    this.runs.clear();
  }

  private onChange(change: StoreChange): void {
    if (change.resource !== pods) return;
    const uid = change.object.metadata.uid;
    if (change.type === 'ADDED') {
      const controller = new AbortController();
      this.runs.set(uid, controller);
      setImmediate(() => this.run(change.object, controller.signal).catch(() => undefined));
    }
    if (change.type === 'DELETED') {
      this.runs.get(uid)?.abort();
      this.runs.delete(uid);
      this.logs.forgetPod(uid);
    }
  }

  private async run(pod: StoredObject, signal: AbortSignal): Promise<void> {
    const current = this.store.peek(pods, pod.metadata.namespace, pod.metadata.name);
    if (!current || ['Succeeded', 'Failed'].includes(String(recordAt(current, 'status')['phase']))) return;
    const scenario = this.scenarioFor(pod);
    const inits = arrayAt(pod, 'spec', 'initContainers');
    const mains = arrayAt(pod, 'spec', 'containers');
    const failing = scenario.failingContainer ?? String((inits[0] ?? mains[0])['name']);
    const run: PodRun = { pod, signal, status: { phase: 'Pending', qosClass: 'BestEffort', hostIP: '10.0.0.10', hostIPs: [{ ip: '10.0.0.10' }], startTime: timestamp() } };
    run.status['conditions'] = [condition('PodScheduled', 'True'), condition('Initialized', inits.length ? 'False' : 'True', inits.length ? 'ContainersNotInitialized' : undefined), condition('Ready', 'False', 'ContainersNotReady'), condition('ContainersReady', 'False', 'ContainersNotReady')];
    if (inits.length) run.status['initContainerStatuses'] = inits.map((c) => waitingStatus(String(c['name']), String(c['image']), 'PodInitializing'));
    run.status['containerStatuses'] = mains.map((c) => waitingStatus(String(c['name']), String(c['image']), inits.length ? 'PodInitializing' : 'ContainerCreating'));
    this.publish(run);
    while (this.dependencies.missingVolume(pod)) await sleep(POLL_MS, undefined, { signal });
    await sleep(scenario.startDelayMs ?? 0, undefined, { signal });

    const sidecars: ContainerStatus[] = [];
    for (const init of inits) {
      const started = await this.startContainer(run, init, 'initContainerStatuses', scenario, failing);
      if (init['restartPolicy'] === 'Always') {
        // A native sidecar keeps running beside the main containers, which start once it has started.
        sidecars.push(started);
        continue;
      }
      this.setStatus(run, 'initContainerStatuses', terminatedStatus(started, 0, 'Completed', timestamp()));
      this.logs.finish(pod.metadata.uid, started.name);
      this.publish(run);
    }
    run.status['conditions'] = [condition('PodScheduled', 'True'), condition('Initialized', 'True')];
    const running: ContainerStatus[] = [];
    for (const main of mains) running.push(await this.startContainer(run, main, 'containerStatuses', scenario, failing));
    run.status['phase'] = 'Running';
    run.status['podIP'] = '10.244.0.10';
    run.status['podIPs'] = [{ ip: '10.244.0.10' }];
    run.status['conditions'] = [...(run.status['conditions'] as unknown[]), condition('Ready', 'True'), condition('ContainersReady', 'True')];
    this.publish(run);

    for (const line of scenario.logLines ?? []) {
      await sleep(scenario.lineIntervalMs ?? 0, undefined, { signal });
      this.logs.append(pod.metadata.uid, running[0].name, line);
    }
    if (scenario.outcome === 'hang') await sleep(2 ** 31 - 1, undefined, { signal });
    const failed = scenario.outcome === 'fail';
    const message = (index: number) => (index === 0 ? scenario.terminationMessage : undefined);
    run.status['containerStatuses'] = running.map((status, index) =>
      failed && index === 0
        ? terminatedStatus(status, scenario.exitCode ?? 1, 'Error', timestamp(), message(index))
        : terminatedStatus(status, 0, 'Completed', timestamp(), message(index)),
    );
    run.status['phase'] = failed ? 'Failed' : 'Succeeded';
    run.status['conditions'] = [condition('PodScheduled', 'True'), condition('Initialized', 'True', 'PodCompleted'), condition('Ready', 'False', 'PodCompleted'), condition('ContainersReady', 'False', 'PodCompleted')];
    for (const status of running) this.logs.finish(pod.metadata.uid, status.name);
    // Once the main containers are done the kubelet stops the sidecars (SIGTERM); their exit does not change the phase.
    for (const sidecar of sidecars) {
      this.setStatus(run, 'initContainerStatuses', terminatedStatus(sidecar, 0, 'Completed', timestamp()));
      this.logs.finish(pod.metadata.uid, sidecar.name);
    }
    this.publish(run);
  }

  /** Pulls the image and creates the container, staying in a waiting reason for as long as the scenario or a missing reference says. */
  private async startContainer(run: PodRun, container: Record<string, unknown>, list: 'initContainerStatuses' | 'containerStatuses', scenario: Scenario, failing: string): Promise<ContainerStatus> {
    const name = String(container['name']);
    const image = String(container['image']);
    if (name === failing) await this.blockForever(run, list, name, image, scenario);
    for (let missing = this.dependencies.missingEnvSource(run.pod, container); missing; missing = this.dependencies.missingEnvSource(run.pod, container)) {
      this.setStatus(run, list, waitingStatus(name, image, 'CreateContainerConfigError', missing));
      this.publish(run);
      await sleep(POLL_MS * 4, undefined, { signal: run.signal });
    }
    const status = runningStatus(name, image, timestamp());
    this.setStatus(run, list, status);
    this.publish(run);
    return status;
  }

  private async blockForever(run: PodRun, list: 'initContainerStatuses' | 'containerStatuses', name: string, image: string, scenario: Scenario): Promise<void> {
    const pullError = `failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`;
    switch (scenario.outcome) {
      case 'errImagePull':
        this.setStatus(run, list, waitingStatus(name, image, 'ErrImagePull', pullError));
        break;
      case 'imagePullBackOff':
        this.setStatus(run, list, waitingStatus(name, image, 'ErrImagePull', pullError));
        this.publish(run);
        await sleep(POLL_MS, undefined, { signal: run.signal });
        this.setStatus(run, list, waitingStatus(name, image, 'ImagePullBackOff', `Back-off pulling image "${image}"`));
        break;
      case 'createContainerConfigError':
        this.setStatus(run, list, waitingStatus(name, image, 'CreateContainerConfigError', 'secret "missing" not found'));
        break;
      default:
        return;
    }
    this.publish(run);
    await sleep(2 ** 31 - 1, undefined, { signal: run.signal });
  }

  private setStatus(run: PodRun, list: 'initContainerStatuses' | 'containerStatuses', status: ContainerStatus): void {
    const statuses = (run.status[list] as ContainerStatus[]).map((entry) => (entry.name === status.name ? status : entry));
    run.status[list] = statuses;
  }

  private publish(run: PodRun): void {
    if (run.signal.aborted) throw run.signal.reason;
    // The run replaces the status's fields (setStatus, a new list with the new entry) and never changes a value it
    // holds in place: a copy of the top level is the store's own.
    const written = this.service.writeStatus(pods, run.pod, { ...run.status }, true);
    if (!written) throw new Error('pod is gone');
  }
}
