import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { storedJson, type KubeObject, type StoredObject } from './kube-object.js';
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

export type ChangeListener = (change: StoreChange) => void;

interface Entry {
  resource: ResourceType;
  object: StoredObject;
}

/**
 * The "etcd" of the double: objects by resource, namespace and name, a global
 * revision counter that every write bumps, and a bounded change history so a
 * watch can resume from a resourceVersion until it is compacted away.
 *
 * A version, once stored, is never changed: a write stores a new one. So the
 * change records, the watchers and the read-only accessors (`peek`,
 * `listStored`, `findByUid`, `dependentsOf`) share it instead of copying it,
 * and its JSON is produced once; only `get` and `list` hand out copies.
 */
export class ObjectStore {
  private readonly objects = new Map<string, Entry>();
  /** The entries of each resource, so a list reads its own kind only. */
  private readonly byResource = new Map<ResourceType, Map<string, Entry>>();
  /** `plural/label=value` → keys of the objects with that label, so a list by label reads only those. */
  private readonly keysByLabel = new Map<string, Set<string>>();
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

  /** A copy of the stored version, the caller's to change. */
  get(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const found = this.peek(resource, namespace, name);
    return found && (JSON.parse(storedJson(found)) as StoredObject);
  }

  /** The stored version itself, read only. */
  peek(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects.get(keyOf(resource, namespace, name))?.object;
  }

  has(resource: ResourceType, namespace: string | undefined, name: string): boolean {
    return this.objects.has(keyOf(resource, namespace, name));
  }

  /**
   * Objects of one resource in key order (namespace/name), like an etcd range
   * read; `where` sees the stored objects (read only) and filters before they are copied.
   */
  list(resource: ResourceType, namespace?: string, where: (object: StoredObject) => boolean = () => true): StoredObject[] {
    return this.listStored(resource, namespace, where).map((object) => JSON.parse(storedJson(object)) as StoredObject);
  }

  /**
   * As list, but the stored objects themselves, read only: for a caller that
   * copies the few it keeps (a page of a large list) rather than all of them.
   * `labelled`, a label that `where` requires, narrows the candidates by index.
   */
  listStored(resource: ResourceType, namespace?: string, where: (object: StoredObject) => boolean = () => true, labelled?: { key: string; value: string }): readonly StoredObject[] {
    const found: [string, StoredObject][] = [];
    const consider = (key: string, object: StoredObject) => {
      if ((namespace === undefined || object.metadata.namespace === namespace) && where(object)) found.push([key, object]);
    };
    if (labelled) {
      for (const key of this.keysByLabel.get(labelKey(resource, labelled.key, labelled.value)) ?? []) consider(key, this.objects.get(key)!.object);
    } else {
      for (const [key, { object }] of this.byResource.get(resource) ?? []) consider(key, object);
    }
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, object]) => object);
  }

  /** The stored version with this uid, read only. */
  findByUid(uid: string): { resource: ResourceType; object: StoredObject } | undefined {
    const key = this.keysByUid.get(uid);
    return key === undefined ? undefined : this.objects.get(key);
  }

  /** Objects whose ownerReferences name `ownerUid`, whether or not that owner still exists; read only. */
  dependentsOf(ownerUid: string): { resource: ResourceType; object: StoredObject }[] {
    return [...(this.dependentKeys.get(ownerUid) ?? [])].flatMap((key) => {
      const entry = this.objects.get(key);
      return entry ? [entry] : [];
    });
  }

  /** Stores `input` itself, which the caller hands over (a copy of its own); returns the stored version, read only. */
  create(resource: ResourceType, input: KubeObject & { metadata: { name: string } }): StoredObject {
    const key = keyOf(resource, input.metadata.namespace, input.metadata.name);
    if (this.objects.has(key)) throw statusErrors.alreadyExists(resource, input.metadata.name);
    const object = input as StoredObject;
    object.metadata.uid = input.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (resource.tracksGeneration) object.metadata.generation = 1;
    else delete object.metadata.generation;
    object.metadata.resourceVersion = String(++this.revision);
    this.put(key, { resource, object });
    this.keysByUid.set(object.metadata.uid, key);
    this.indexOwners(key, object, true);
    this.record({ type: 'ADDED', resource, object, revision: this.revision });
    return object;
  }

  /**
   * Writes a new version from `next`, whose metadata is copied and whose
   * other values are kept as they are: they may be shared with stored
   * versions, and the caller does not change them afterwards. The caller has
   * already checked preconditions and immutable fields. Returns the stored
   * version, read only.
   */
  update(resource: ResourceType, next: StoredObject): StoredObject {
    const key = keyOf(resource, next.metadata.namespace, next.metadata.name);
    const previous = this.objects.get(key)?.object;
    if (!previous) throw statusErrors.notFound(resource, next.metadata.name);
    const specChanged = resource.tracksGeneration && next['spec'] !== previous['spec'] && !isDeepStrictEqual(previous['spec'], next['spec']);
    const object: StoredObject = { ...next, metadata: { ...next.metadata } };
    object.metadata.uid = previous.metadata.uid;
    object.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    if (resource.tracksGeneration) {
      object.metadata.generation = (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    object.metadata.resourceVersion = String(++this.revision);
    this.indexOwners(key, previous, false);
    this.put(key, { resource, object });
    this.indexOwners(key, object, true);
    this.record({ type: 'MODIFIED', resource, object, previous, revision: this.revision });
    return object;
  }

  remove(resource: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const key = keyOf(resource, namespace, name);
    const previous = this.objects.get(key)?.object;
    if (!previous) throw statusErrors.notFound(resource, name);
    this.objects.delete(key);
    this.byResource.get(resource)?.delete(key);
    this.indexLabels(key, resource, previous, false);
    this.keysByUid.delete(previous.metadata.uid);
    this.indexOwners(key, previous, false);
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(++this.revision) } };
    this.record({ type: 'DELETED', resource, object, previous, revision: this.revision });
    return object;
  }

  /** Changes after `revision`, oldest first; undefined when history no longer reaches back that far. */
  changesSince(revision: number): StoreChange[] | undefined {
    if (revision < this.oldestRevision) return undefined;
    // The history is in revision order: find the first change after `revision` by bisection.
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.history[middle].revision > revision) high = middle;
      else low = middle + 1;
    }
    return this.history.slice(low);
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
    this.byResource.clear();
    this.keysByLabel.clear();
    this.keysByUid.clear();
    this.dependentKeys.clear();
    this.compact();
  }

  private put(key: string, entry: Entry): void {
    const previous = this.objects.get(key);
    // A status write keeps the labels: the index stays as it is.
    const relabelled = !previous || !isDeepStrictEqual(previous.object.metadata.labels ?? {}, entry.object.metadata.labels ?? {});
    if (previous && relabelled) this.indexLabels(key, previous.resource, previous.object, false);
    if (relabelled) this.indexLabels(key, entry.resource, entry.object, true);
    this.objects.set(key, entry);
    let entries = this.byResource.get(entry.resource);
    if (!entries) this.byResource.set(entry.resource, (entries = new Map()));
    entries.set(key, entry);
  }

  private indexLabels(key: string, resource: ResourceType, object: StoredObject, add: boolean): void {
    for (const [label, value] of Object.entries(object.metadata.labels ?? {})) index(this.keysByLabel, labelKey(resource, label, value), key, add);
  }

  private indexOwners(key: string, object: StoredObject, add: boolean): void {
    for (const { uid } of object.metadata.ownerReferences ?? []) index(this.dependentKeys, uid, key, add);
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    // Compacted a tenth of the limit at a time: dropping the oldest change on every write moved the whole history each time.
    if (this.history.length > this.historyLimit + Math.ceil(this.historyLimit / 10)) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.oldestRevision = dropped[dropped.length - 1].revision;
    }
    for (const listener of [...this.listeners]) listener(change);
  }
}

/** Adds `key` under `term` of an index, or removes it (and the term once it has no keys left). */
function index(keysByTerm: Map<string, Set<string>>, term: string, key: string, add: boolean): void {
  const keys = keysByTerm.get(term) ?? new Set<string>();
  if (add) keys.add(key);
  else keys.delete(key);
  if (keys.size > 0) keysByTerm.set(term, keys);
  else keysByTerm.delete(term);
}

function labelKey(resource: ResourceType, label: string, value: string): string {
  return `${resource.plural}/${label}=${value}`;
}

function keyOf(resource: ResourceType, namespace: string | undefined, name: string): string {
  return `${resource.plural}/${namespace ?? ''}/${name}`;
}
