import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { KubernetesRepository, WatchEventType } from '#libs/kube';
import { BUILD_ID_LABEL, managedSelector } from './kubernetes-labels.js';

type Change = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What a follower does with the events of its Job and its Pods. */
export interface BuildJobListener {
  job(type: Change, job: V1Job): void;
  pod(type: Change, pod: V1Pod): void;
  /** The shared watches lost their place: events may be missing, so the follower reads afresh and watches on its own. */
  broken(): void;
}

/** Each shared watch asks the server to end it after this long; it is opened again from the last version seen. */
const WATCH_SECONDS = 240;
/** A watch that ends this soon without an event is taken as refused: the shared watches start over from a new list. */
const FAST_END_MS = 250;
/** Shared watches with no build to follow for this long are closed. */
const IDLE_MS = 60_000;
/** After the shared watches failed to start, builds follow on their own for this long before they are tried again. */
const RETRY_AFTER_MS = 5_000;

/**
 * The events of one Job and its Pods from the shared watches, held until
 * the follower listens (the watch may report the Job before its create call
 * answers).
 */
export class BuildJobFeed {
  private held: ((listener: BuildJobListener) => void)[] = [];
  private listener?: BuildJobListener;
  private isBroken = false;

  constructor(
    readonly jobName: string,
    private readonly release: (feed: BuildJobFeed) => void,
  ) {}

  listen(listener: BuildJobListener): void {
    this.listener = listener;
    for (const replay of this.held) replay(listener);
    this.held = [];
    if (this.isBroken) listener.broken();
  }

  /** No more events are wanted; safe to call more than once. */
  close(): void {
    this.listener = undefined;
    this.held = [];
    this.release(this);
  }

  offer(replay: (listener: BuildJobListener) => void): void {
    if (this.listener) replay(this.listener);
    else this.held.push(replay);
  }

  breakOff(): void {
    if (this.isBroken) return;
    this.isBroken = true;
    this.listener?.broken();
  }
}

/** The shared watches from one list on: a gap (a refused or expired watch) ends them, and the next build lists again. */
class WatchSession {
  readonly feeds = new Map<string, BuildJobFeed>();
  readonly abort = new AbortController();
  ready!: Promise<boolean>;
  idle?: NodeJS.Timeout;
}

/**
 * Whether a shared watch's line may concern one of `followed` (Job names),
 * decided before it is parsed: every worker sees the events of every build in
 * the namespace, and parsing whole objects is most of what they cost. A line
 * of a build's object names its Job (the Job's name, a Pod's owner and
 * labels); one without a build's label (BOOKMARK, ERROR) is always wanted. A
 * name found by chance inside another only costs a parse.
 */
export function mayConcern(line: string, followed: Iterable<string>): boolean {
  if (!line.includes(BUILD_ID_LABEL)) return true;
  for (const name of followed) if (line.includes(name)) return true;
  return false;
}

const jobNameOf = (pod: V1Pod): string | undefined => {
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller && reference.kind === 'Job');
  return owner?.name ?? pod.metadata?.labels?.['batch.kubernetes.io/job-name'] ?? pod.metadata?.labels?.['job-name'];
};

/**
 * One watch on the deployer's Jobs and one on their Pods for a whole worker,
 * routed to each build by its Job's name, instead of two watches a build.
 * The watches start from the versions of a list made before a build
 * subscribes, and a build subscribes before it creates its Job, so every
 * event of a Job it creates, and of that Job's Pods, comes after those
 * versions: the feed misses none of them as long as the watches keep their
 * place. A watch the server ends is opened again from the last version it
 * reported (bookmarks included); one that is refused or reports an expired
 * version breaks every feed, whose followers then read afresh and watch on
 * their own, as a Job this worker did not create (a re-attached one) is
 * followed from the start.
 */
export class BuildJobsInformer {
  private session?: WatchSession;
  private failedAt = -Infinity;

  constructor(private readonly kube: KubernetesRepository) {}

  /**
   * A feed for the Job about to be created under `jobName` (call it before
   * the create), or null when the shared watches cannot cover it: they failed
   * to start, or another build of this worker follows that name.
   */
  async subscribe(jobName: string): Promise<BuildJobFeed | null> {
    if (!this.session && Date.now() - this.failedAt < RETRY_AFTER_MS) return null;
    const session = (this.session ??= this.open());
    if (!(await session.ready) || session.abort.signal.aborted || session.feeds.has(jobName)) return null;
    clearTimeout(session.idle);
    const feed = new BuildJobFeed(jobName, (released) => this.release(session, released));
    session.feeds.set(jobName, feed);
    return feed;
  }

  close(): void {
    if (this.session) this.end(this.session);
  }

  private open(): WatchSession {
    const session = new WatchSession();
    session.ready = (async () => {
      const selector = managedSelector();
      const [jobs, pods] = await Promise.all([this.kube.listJobs(selector, 1), this.kube.listPods(selector, 1)]);
      if (!jobs.resourceVersion || !pods.resourceVersion) throw new Error('a list answered without a resourceVersion');
      void this.follow(session, 'jobs', jobs.resourceVersion);
      void this.follow(session, 'pods', pods.resourceVersion);
      return true;
    })().catch(() => {
      this.failedAt = Date.now();
      this.end(session);
      return false;
    });
    return session;
  }

  /**
   * Keeps one shared watch open from `version` until the session ends; a gap ends the session. It is reopened from
   * the last version parsed (a skipped line is not), which bookmarks keep recent.
   */
  private async follow(session: WatchSession, resource: 'jobs' | 'pods', version: string): Promise<void> {
    const { signal } = session.abort;
    let from = version;
    while (!signal.aborted) {
      const started = Date.now();
      let events = 0;
      let gap = false;
      const onEvent = (type: WatchEventType, object: V1Job | V1Pod) => {
        events += 1;
        if (type === 'ERROR' || typeof object !== 'object' || object === null) {
          gap = true;
          return this.end(session);
        }
        const seen = object.metadata?.resourceVersion;
        if (seen) from = seen;
        if (type === 'BOOKMARK') return;
        if (resource === 'jobs') session.feeds.get(String(object.metadata?.name))?.offer((listener) => listener.job(type, object as V1Job));
        else {
          const name = jobNameOf(object as V1Pod);
          if (name) session.feeds.get(name)?.offer((listener) => listener.pod(type, object as V1Pod));
        }
      };
      const query = { labelSelector: managedSelector(), resourceVersion: from, timeoutSeconds: WATCH_SECONDS };
      await this.kube.watch(resource, query, onEvent, signal, (line) => mayConcern(line, session.feeds.keys()));
      if (gap || (!signal.aborted && events === 0 && Date.now() - started < FAST_END_MS)) return this.end(session);
    }
  }

  private release(session: WatchSession, feed: BuildJobFeed): void {
    if (session.feeds.get(feed.jobName) !== feed) return;
    session.feeds.delete(feed.jobName);
    if (session.feeds.size > 0 || session.abort.signal.aborted) return;
    clearTimeout(session.idle);
    session.idle = setTimeout(() => session.feeds.size === 0 && this.end(session), IDLE_MS);
    session.idle.unref();
  }

  /** Closes the session's watches and breaks its feeds; the next subscription lists again. */
  private end(session: WatchSession): void {
    if (this.session === session) this.session = undefined;
    clearTimeout(session.idle);
    session.abort.abort();
    const feeds = [...session.feeds.values()];
    session.feeds.clear();
    for (const feed of feeds) feed.breakOff();
  }
}
