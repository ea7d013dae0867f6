import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { KubernetesRepository, WatchEventType } from '#libs/kube';
import { finishedCondition } from './build-progress.js';
import type { BuildJobFeed } from './build-jobs.informer.js';

const WATCH_SECONDS = 30;
/** A watch that ends this soon without an event is taken as a failing API: the next read waits a little. */
const FAST_END_MS = 250;
const BACKOFF_MS = 500;

/** Whether the Job reports Pods made for it: active, succeeded, failed or ready ones, or any finished condition. */
const hasPods = (job: V1Job): boolean => {
  const status = job.status ?? {};
  return Boolean(status.active || status.succeeded || status.failed || status.ready || status.terminating || finishedCondition(job));
};

/**
 * A build Job and its Pods as the API last reported them: read once, then
 * kept current by one watch on the Job and one on its Pods for as long as
 * they stay open. Every event carries the whole object, so however many
 * times its Pod changes, a build costs two watches, and a read only when a
 * watch ends (timeout, dropped connection, an expired version) or its
 * outcome calls for one. The Job just created (or read to re-attach) stands
 * for the Job of the first read; while it reports no Pods (a Job just
 * created), its Pods are not listed either: their watch starts without a
 * version, so its first events are the Pods that exist by then. The watches
 * open when the caller first waits for a change, from the versions read: a
 * read that already shows the end opens none. A Job seen finished stays
 * finished, so a read after that lists its Pods alone.
 *
 * A Job this worker just created may come with a feed of the worker's shared
 * watches instead: its events then arrive with no watch of its own and no
 * read, until a read is called for or the feed breaks; from then on it is
 * followed as above.
 */
export class BuildJobTracker {
  private job: V1Job | null = null;
  private readonly pods = new Map<string, V1Pod>();
  /** Set by an event or a watch that ended; cleared when the caller looks. */
  private changed = false;
  private stale = true;
  private wake?: () => void;
  private watches?: AbortController;
  /** The versions of the last read, which the watches start from. */
  private versions: { job?: string; pods?: string } = {};
  /** Set when a watch ended at once without an event: the API is failing, so the next read waits a little. */
  private backOff = false;

  constructor(
    private readonly kube: KubernetesRepository,
    private readonly jobName: string,
    private seen?: V1Job,
    private feed?: BuildJobFeed,
  ) {
    if (!feed || !seen) {
      this.dropFeed();
      return;
    }
    this.job = seen;
    this.seen = undefined;
    this.stale = false;
    feed.listen({
      job: (type, job) => {
        this.keepJob(type, job);
        this.signalChange();
      },
      pod: (type, pod) => {
        this.keepPod(type, pod);
        this.signalChange();
      },
      broken: () => {
        this.dropFeed();
        this.stale = true;
        this.signalChange();
      },
    });
  }

  /**
   * The Job (null once deleted or never created) and its Pods, current as of
   * the last event seen; `fresh` when they were read just now rather than
   * pieced together from the two watches, which are not ordered with each
   * other (the Job may be reported finished before its Pod's last status).
   */
  async current(): Promise<{ job: V1Job | null; pods: V1Pod[]; fresh: boolean }> {
    this.changed = false;
    const fresh = this.stale && (await this.read());
    return { job: this.job, pods: [...this.pods.values()], fresh };
  }

  /** Resolves on the next change after the last `current()`, at once when one came in between, or on abort. */
  async nextChange(signal: AbortSignal): Promise<void> {
    if (this.changed || signal.aborted) return;
    if (!this.stale && !this.feed && (!this.watches || this.watches.signal.aborted)) this.startWatches(this.versions.job, this.versions.pods);
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Makes the next `current()` read afresh. */
  reread(): void {
    this.stale = true;
  }

  close(): void {
    this.dropFeed();
    this.watches?.abort();
    this.wake?.();
  }

  private dropFeed(): void {
    this.feed?.close();
    this.feed = undefined;
  }

  /** Reads the Job and its Pods afresh; false when nothing was read (a Job just created has no Pods to list). */
  private async read(): Promise<boolean> {
    if (this.backOff) await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS));
    this.backOff = false;
    // The Job and its Pods as read, then their own watches from the versions read: the feed may lag behind the read.
    this.dropFeed();
    this.watches?.abort();
    const seen = this.seen;
    this.seen = undefined;
    if (seen && !hasPods(seen)) {
      this.job = seen;
      this.stale = false;
      this.versions = { job: seen.metadata?.resourceVersion, pods: undefined };
      return false;
    }
    // The Job first, then its Pods: a Job the read finds finished had its Pods' last status written before, so
    // the list shows it. Read together, a retried Job read could be answered after a list made before the Pod ended.
    // A Job already seen finished is not read again: it stays finished, and the list is made after it was seen so
    // (unless the list finds no Pods left: the Job may be gone with them).
    const known = seen ?? (this.job && finishedCondition(this.job) ? this.job : undefined);
    let job = known ?? (await this.kube.readJob(this.jobName));
    const pods = await this.kube.listPods(`job-name=${this.jobName}`);
    if (known && pods.items.length === 0) job = await this.kube.readJob(this.jobName);
    this.job = job;
    this.pods.clear();
    for (const pod of pods.items) this.pods.set(String(pod.metadata?.name), pod);
    this.stale = false;
    this.versions = { job: job?.metadata?.resourceVersion, pods: pods.resourceVersion };
    return true;
  }

  private startWatches(jobVersion: string | undefined, podsVersion: string | undefined): void {
    const watches = new AbortController();
    this.watches = watches;
    const started = Date.now();
    let events = 0;
    const ended = () => {
      if (watches.signal.aborted) return;
      // One of the two ended: both are opened again from a fresh read.
      watches.abort();
      this.backOff = events === 0 && Date.now() - started < FAST_END_MS;
      this.stale = true;
      this.signalChange();
    };
    /** One watch's events: an ERROR (an expired version, a refused watch) calls for a fresh read; a BOOKMARK changes nothing. */
    const onEvent =
      <T>(keep: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T) => void) =>
      (type: WatchEventType, object: T) => {
        events += 1;
        if (type === 'ERROR' || typeof object !== 'object' || object === null) return ended();
        if (type === 'BOOKMARK') return;
        keep(type, object);
        this.signalChange();
      };
    const onJob = onEvent<V1Job>((type, job) => this.keepJob(type, job));
    const onPod = onEvent<V1Pod>((type, pod) => this.keepPod(type, pod));
    const query = { timeoutSeconds: WATCH_SECONDS };
    void this.kube
      .watch<V1Job>('jobs', { ...query, fieldSelector: `metadata.name=${this.jobName}`, resourceVersion: jobVersion }, onJob, watches.signal)
      .finally(ended);
    void this.kube
      .watch<V1Pod>('pods', { ...query, labelSelector: `job-name=${this.jobName}`, resourceVersion: podsVersion }, onPod, watches.signal)
      .finally(ended);
  }

  /** A Job event, from its own watch or the feed. */
  private keepJob(type: 'ADDED' | 'MODIFIED' | 'DELETED', job: V1Job): void {
    this.job = type === 'DELETED' ? null : job;
  }

  /** A Pod event, from its own watch or the feed. */
  private keepPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void {
    const name = String(pod.metadata?.name);
    if (type === 'DELETED') this.pods.delete(name);
    else this.pods.set(name, pod);
  }

  private signalChange(): void {
    this.changed = true;
    this.wake?.();
  }
}
