import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { cloneObject, type KubeObject, type StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import type { ResourceType } from './resource-catalog.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreChange {
  type: ChangeType;
  resource: ResourceType;
  object: StoredObject;
  /** The object before the change, for watchers whose selector it stops or starts matching. */
  previous?: StoredObject;
  revision: number;
}

type ChangeListener = (change: StoreChange) => void;

/**
 * The "etcd" of the double: objects by resource, namespace and name, a global
 * revision counter that every write bumps, and a bounded change history so a
 * watch can resume from a resourceVersion until it is compacted away.
 */
export class ObjectStore {
  private readonly objects = new Map<string, { resource: ResourceType; object: StoredObject }>();
  /** uid → key, and owner uid → keys of the objects that reference it, so large stores stay fast. */
  private readonly keysByUid = new Map<string, string>();
  private readonly dependentKeys = new Map<string, Set<string>>();
  private readonly listeners = new Set<ChangeListener>();
  private history: StoreChange[] = [];
  private revision = 0;
  private oldestRevision = 0;

  constructor(private readonly historyLimit = 5000) {}

  get currentRevision(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch or continue token may still start from. */
  get compactedRevision(): number {
    return this.oldestRevision;
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const found = this.objects.get(keyOf(resource, namespace, name));
    return found && cloneObject(found.object);
  }

  /**
   * Objects of one resource in key order (namespace/name), like an etcd range
   * read; `where` sees the stored objects (read only) and filters before they are copied.
   */
  list(resource: ResourceType, namespace?: string, where: (object: StoredObject) => boolean = () => true): StoredObject[] {
    return this.listStored(resource, namespace, where).map(cloneObject);
  }

  /**
   * As list, but the stored objects themselves, read only: for a caller that
   * copies the few it keeps (a page of a large list) rather than all of them.
   */
  listStored(resource: ResourceType, namespace?: string, where: (object: StoredObject) => boolean = () => true): readonly StoredObject[] {
    return [...this.objects.entries()]
      .filter(([, entry]) => entry.resource === resource && (namespace === undefined || entry.object.metadata.namespace === namespace) && where(entry.object))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry.object);
  }

  findByUid(uid: string): { resource: ResourceType; object: StoredObject } | undefined {
    const key = this.keysByUid.get(uid);
    const found = key === undefined ? undefined : this.objects.get(key);
    return found && { resource: found.resource, object: cloneObject(found.object) };
  }

  /** Objects whose ownerReferences name `ownerUid`, whether or not that owner still exists. */
  dependentsOf(ownerUid: string): { resource: ResourceType; object: StoredObject }[] {
    return [...(this.dependentKeys.get(ownerUid) ?? [])].flatMap((key) => {
      const entry = this.objects.get(key);
      return entry ? [{ resource: entry.resource, object: cloneObject(entry.object) }] : [];
    });
  }

  create(resource: ResourceType, input: KubeObject & { metadata: { name: string } }): StoredObject {
    const key = keyOf(resource, input.metadata.namespace, input.metadata.name);
    if (this.objects.has(key)) throw statusErrors.alreadyExists(resource, input.metadata.name);
    const object = cloneObject(input) as StoredObject;
    object.metadata.uid = input.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (resource.tracksGeneration) object.metadata.generation = 1;
    else delete object.metadata.generation;
    object.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, { resource, object });
    this.keysByUid.set(object.metadata.uid, key);
    this.indexOwners(key, object, true);
    this.record({ type: 'ADDED', resource, object: cloneObject(object), revision: this.revision });
    return cloneObject(object);
  }

  /** Writes a new version; the caller has already checked preconditions and immutable fields. */
  update(resource: ResourceType, next: StoredObject): StoredObject {
    const key = keyOf(resource, next.metadata.namespace, next.metadata.name);
    const previous = this.objects.get(key)?.object;
    if (!previous) throw statusErrors.notFound(resource, next.metadata.name);
    const object = cloneObject(next);
    object.metadata.uid = previous.metadata.uid;
    object.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    if (resource.tracksGeneration) {
      const specChanged = !isDeepStrictEqual(previous['spec'], object['spec']);
      object.metadata.generation = (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    object.metadata.resourceVersion = String(++this.revision);
    this.indexOwners(key, previous, false);
    this.objects.set(key, { resource, object });
    this.indexOwners(key, object, true);
    // `previous` has left the store: the change record is its only holder, so it needs no copy.
    this.record({ type: 'MODIFIED', resource, object: cloneObject(object), previous, revision: this.revision });
    return cloneObject(object);
  }

  remove(resource: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const key = keyOf(resource, namespace, name);
    const previous = this.objects.get(key)?.object;
    if (!previous) throw statusErrors.notFound(resource, name);
    this.objects.delete(key);
    this.keysByUid.delete(previous.metadata.uid);
    this.indexOwners(key, previous, false);
    const object = cloneObject(previous);
    object.metadata.resourceVersion = String(++this.revision);
    this.record({ type: 'DELETED', resource, object, previous, revision: this.revision });
    return cloneObject(object);
  }

  /** Changes after `revision`, oldest first; undefined when history no longer reaches back that far. */
  changesSince(revision: number): StoreChange[] | undefined {
    if (revision < this.oldestRevision) return undefined;
    return this.history.filter((change) => change.revision > revision);
  }

  /** Forgets the change history, as an etcd compaction does. */
  compact(): void {
    this.history = [];
    this.oldestRevision = this.revision;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.objects.clear();
    this.keysByUid.clear();
    this.dependentKeys.clear();
    this.compact();
  }

  private indexOwners(key: string, object: StoredObject, add: boolean): void {
    for (const { uid } of object.metadata.ownerReferences ?? []) {
      const keys = this.dependentKeys.get(uid) ?? new Set<string>();
      if (add) keys.add(key);
      else keys.delete(key);
      if (keys.size > 0) this.dependentKeys.set(uid, keys);
      else this.dependentKeys.delete(uid);
    }
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.oldestRevision = dropped[dropped.length - 1].revision;
    }
    for (const listener of [...this.listeners]) listener(change);
  }
}

function keyOf(resource: ResourceType, namespace: string | undefined, name: string): string {
  return `${resource.plural}/${namespace ?? ''}/${name}`;
}
