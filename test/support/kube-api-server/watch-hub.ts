import type { ServerResponse } from 'node:http';
import type { FieldSelector } from './field-selector.js';
import { storedJson, type StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import type { LabelSelector } from './label-selector.js';
import type { ObjectStore, StoreChange } from './object-store.js';
import type { ResourceType } from './resource-catalog.js';

export interface WatchRequest {
  resource: ResourceType;
  namespace?: string;
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  /** Fault injection: end the stream after this long. */
  endAfterMs?: number;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * Open watch streams: newline-delimited JSON events over a chunked 200
 * response. Without a resourceVersion (or with "0") a watch first replays the
 * current state as ADDED; with one it replays the history after it, or answers
 * an ERROR event carrying a 410 Expired Status when that history is compacted.
 */
export class WatchHub {
  private readonly closers = new Set<() => void>();
  /** The open watches of each resource: a change is offered to those of its own resource only. */
  private readonly watchers = new Map<ResourceType, Set<(change: StoreChange) => void>>();
  private unsubscribe?: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly bookmarkIntervalMs: number,
  ) {}

  get openCount(): number {
    return this.closers.size;
  }

  open(request: WatchRequest, response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    // The events of one turn of the event loop leave in one write (a chunk each), as a server's buffered stream flushes them.
    let corked = false;
    const write = (line: string) => {
      if (!corked) {
        corked = true;
        response.cork();
        process.nextTick(() => {
          corked = false;
          response.uncork();
        });
      }
      response.write(line);
    };
    const send = (type: EventType, object: unknown) => write(`{"type":"${type}","object":${JSON.stringify(object)}}\n`);
    // A stored version's text is made once for every watcher that sends it.
    const sendStored = (type: EventType, object: StoredObject) => write(`{"type":"${type}","object":${storedJson(object)}}\n`);
    const matches = (object: StoredObject | undefined) =>
      object !== undefined &&
      (request.namespace === undefined || object.metadata.namespace === request.namespace) &&
      request.labelSelector.matches(object.metadata.labels) &&
      request.fieldSelector.matches(object);
    const deliver = (change: StoreChange) => {
      if (change.resource !== request.resource) return;
      const now = change.type !== 'DELETED' && matches(change.object);
      const before = change.type === 'ADDED' ? false : matches(change.previous);
      if (change.type === 'DELETED') {
        if (before) sendStored('DELETED', change.object);
      } else if (now) sendStored(before ? 'MODIFIED' : 'ADDED', change.object);
      else if (before) sendStored('DELETED', change.object);
    };

    const since = request.resourceVersion && request.resourceVersion !== '0' ? Number(request.resourceVersion) : undefined;
    if (since !== undefined && !Number.isInteger(since)) {
      send('ERROR', statusErrors.badRequest(`invalid resource version: ${request.resourceVersion}`).toStatus());
      response.end();
      return;
    }
    if (since === undefined) {
      this.store.listStored(request.resource, request.namespace, matches, request.labelSelector.equality).forEach((object) => sendStored('ADDED', object));
    } else {
      const history = this.store.changesSince(since);
      if (!history) {
        send('ERROR', statusErrors.expired(`too old resource version: ${since} (${this.store.compactedRevision})`).toStatus());
        response.end();
        return;
      }
      history.forEach(deliver);
    }

    const unsubscribe = this.watch(request.resource, deliver);
    const timers: NodeJS.Timeout[] = [];
    if (request.allowBookmarks) {
      const bookmark = setInterval(
        () => send('BOOKMARK', { kind: request.resource.kind, apiVersion: request.resource.apiVersion, metadata: { resourceVersion: String(this.store.currentRevision) } }),
        this.bookmarkIntervalMs,
      );
      timers.push(bookmark);
    }
    const close = () => {
      unsubscribe();
      timers.forEach((timer) => clearTimeout(timer));
      this.closers.delete(close);
      if (!response.writableEnded) response.end();
    };
    if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) timers.push(setTimeout(close, request.timeoutSeconds * 1000));
    if (request.endAfterMs !== undefined) timers.push(setTimeout(close, request.endAfterMs));
    response.on('close', close);
    this.closers.add(close);
  }

  /** One store listener for all the watches while any is open, subscribed after the controllers' as each watch's own was. */
  private watch(resource: ResourceType, deliver: (change: StoreChange) => void): () => void {
    let watchers = this.watchers.get(resource);
    if (!watchers) this.watchers.set(resource, (watchers = new Set()));
    watchers.add(deliver);
    this.unsubscribe ??= this.store.subscribe((change) => this.watchers.get(change.resource)?.forEach((offer) => offer(change)));
    return () => {
      if (!watchers.delete(deliver)) return;
      if (watchers.size === 0 && this.watchers.get(resource) === watchers) this.watchers.delete(resource);
      if (this.watchers.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    };
  }

  /** Ends every open watch cleanly, as an apiserver restart or a load balancer timeout would. */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }
}
