import { condition, timestamp } from './container-status.js';
import { isRecord, recordAt, type KubeObject, type StoredObject } from './kube-object.js';
import type { ObjectDeleter } from './object-deleter.js';
import type { ObjectService } from './object-service.js';
import type { ObjectStore, StoreChange } from './object-store.js';
import { resourceByKind } from './resource-catalog.js';

const jobs = resourceByKind('Job');
const pods = resourceByKind('Pod');

export interface JobControllerOptions {
  /** Multiplies every Kubernetes duration in seconds (deadline, TTL, retry back-off). */
  timeScale: number;
  podCreateDelayMs: number;
}

interface JobState {
  timers: NodeJS.Timeout[];
  finished: boolean;
  creating: boolean;
  killed: number;
}

/**
 * The Job controller and TTL-after-finished controller, for NonIndexed jobs
 * with one completion: one pod at a time, a new pod per failure until
 * backoffLimit, activeDeadlineSeconds, then Complete or Failed conditions and
 * deletion `ttlSecondsAfterFinished` later.
 */
export class JobController {
  private readonly states = new Map<string, JobState>();
  private unsubscribe?: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly service: ObjectService,
    private readonly deleter: ObjectDeleter,
    private readonly options: JobControllerOptions,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((change) => setImmediate(() => this.onChange(change)));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const state of this.states.values()) state.timers.forEach((timer) => clearTimeout(timer));
    this.states.clear();
  }

  private onChange(change: StoreChange): void {
    if (change.resource === jobs && change.type === 'ADDED') this.begin(change.object);
    if (change.resource === jobs && change.type === 'DELETED') this.forget(change.object.metadata.uid);
    if (change.resource === pods) {
      const owner = (change.object.metadata.ownerReferences ?? []).find((reference) => reference.controller && reference.kind === 'Job');
      const job = owner && this.store.findByUid(owner.uid);
      if (job) this.sync(job.object);
    }
  }

  private begin(job: StoredObject): void {
    const state: JobState = { timers: [], finished: false, creating: false, killed: 0 };
    this.states.set(job.metadata.uid, state);
    const spec = recordAt(job, 'spec');
    if (spec['suspend'] === true) return;
    const deadline = spec['activeDeadlineSeconds'];
    if (typeof deadline === 'number') state.timers.push(setTimeout(() => this.exceedDeadline(job), this.seconds(deadline)));
    state.timers.push(setTimeout(() => this.sync(job), this.options.podCreateDelayMs));
  }

  private sync(jobSnapshot: StoredObject): void {
    const state = this.states.get(jobSnapshot.metadata.uid);
    const job = this.current(jobSnapshot);
    if (!state || state.finished || !job) return;
    if (hasFinished(job)) {
      state.finished = true;
      return;
    }
    const spec = recordAt(job, 'spec');
    const owned = this.podsOf(job);
    const phase = (pod: StoredObject) => recordAt(pod, 'status')['phase'];
    const succeeded = owned.filter((pod) => phase(pod) === 'Succeeded').length;
    const failed = owned.filter((pod) => phase(pod) === 'Failed').length + state.killed;
    const active = owned.filter((pod) => phase(pod) !== 'Succeeded' && phase(pod) !== 'Failed');
    const ready = active.filter((pod) => phase(pod) === 'Running').length;
    const counts = { active: active.length, ready, succeeded, failed };
    if (succeeded >= Number(spec['completions'] ?? 1)) return this.finish(job, counts, 'Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
    if (failed > Number(spec['backoffLimit'] ?? 6)) return this.finish(job, counts, 'Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    if (active.length === 0 && !state.creating) {
      state.creating = true;
      const backoff = failed === 0 ? 0 : this.seconds(Math.min(10 * 2 ** (failed - 1), 360));
      state.timers.push(
        setTimeout(() => {
          state.creating = false;
          if (!this.current(job) || state.finished) return;
          this.createPod(job);
          this.sync(job);
        }, backoff),
      );
    }
    this.writeStatus(job, { ...this.baseStatus(job), ...omitZero(counts), ready, terminating: 0 });
  }

  private exceedDeadline(jobSnapshot: StoredObject): void {
    const state = this.states.get(jobSnapshot.metadata.uid);
    const job = this.current(jobSnapshot);
    if (!state || state.finished || !job || hasFinished(job)) return;
    const active = this.podsOf(job).filter((pod) => !['Succeeded', 'Failed'].includes(String(recordAt(pod, 'status')['phase'])));
    for (const pod of active) this.deleter.deleteQuietly(pods, pod, 'Background');
    state.killed += active.length;
    const failed = this.podsOf(job).filter((pod) => recordAt(pod, 'status')['phase'] === 'Failed').length + state.killed;
    this.finish(job, { active: 0, ready: 0, succeeded: 0, failed }, 'Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline');
  }

  private finish(job: StoredObject, counts: Record<string, number>, type: 'Complete' | 'Failed', reason: string, message: string): void {
    const state = this.states.get(job.metadata.uid);
    if (!state) return;
    state.finished = true;
    const interim = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
    const conditions = [interim, type].map((name) => ({ ...condition(name, 'True', reason), message }));
    const status: Record<string, unknown> = { ...this.baseStatus(job), ...omitZero({ ...counts, active: 0 }), ready: 0, terminating: 0, conditions };
    if (type === 'Complete') status['completionTime'] = timestamp();
    this.writeStatus(job, status);
    const ttl = recordAt(job, 'spec')['ttlSecondsAfterFinished'];
    if (typeof ttl === 'number') state.timers.push(setTimeout(() => this.deleter.deleteQuietly(jobs, job, 'Foreground'), this.seconds(ttl)));
  }

  private createPod(job: StoredObject): void {
    const template = recordAt(job, 'spec', 'template');
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...recordAt(template, 'metadata'),
        generateName: `${job.metadata.name}-`,
        namespace: job.metadata.namespace,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      // ObjectService.create stores a copy: the template is not shared with the pod.
      spec: recordAt(template, 'spec'),
    };
    try {
      this.service.create(pods, pod, job.metadata.namespace);
    } catch {
      // The real controller records a FailedCreate event and retries; a pod it cannot create leaves the job without pods here.
    }
  }

  private baseStatus(job: StoredObject): Record<string, unknown> {
    const status = recordAt(job, 'status');
    return { startTime: status['startTime'] ?? timestamp(), uncountedTerminatedPods: {} };
  }

  private writeStatus(job: StoredObject, status: Record<string, unknown>): void {
    const current = this.current(job);
    if (!current) return;
    const previous = JSON.stringify(recordAt(current, 'status'));
    // Every status given here is made for the write.
    if (previous !== JSON.stringify(status)) this.service.writeStatus(jobs, current, status, true);
  }

  private podsOf(job: StoredObject): StoredObject[] {
    return this.store.dependentsOf(job.metadata.uid).flatMap(({ resource, object }) => (resource === pods ? [object] : []));
  }

  private current(job: StoredObject): StoredObject | undefined {
    const found = this.store.peek(jobs, job.metadata.namespace, job.metadata.name);
    return found?.metadata.uid === job.metadata.uid ? found : undefined;
  }

  private forget(uid: string): void {
    this.states.get(uid)?.timers.forEach((timer) => clearTimeout(timer));
    this.states.delete(uid);
  }

  private seconds(value: number): number {
    return value * 1000 * this.options.timeScale;
  }
}

/** A Job whose status already says Complete or Failed is left alone, as the real controller does. */
function hasFinished(job: StoredObject): boolean {
  const conditions = recordAt(job, 'status')['conditions'];
  return Array.isArray(conditions) && conditions.some((c) => isRecord(c) && (c['type'] === 'Complete' || c['type'] === 'Failed') && c['status'] === 'True');
}

function omitZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([key, value]) => key !== 'ready' && value > 0));
}
