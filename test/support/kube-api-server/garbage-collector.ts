import type { OwnerReference, StoredObject } from './kube-object.js';
import type { ObjectStore, StoreChange } from './object-store.js';
import type { ResourceType } from './resource-catalog.js';

type DeleteDependent = (resource: ResourceType, object: StoredObject) => void;

/**
 * The garbage collector controller: a dependent whose owners (matched by uid,
 * in its namespace or cluster-scoped) are all gone is deleted in the background;
 * references to owners that are gone are dropped from dependents that keep
 * another owner. It reacts shortly after each change, as the real one does.
 */
export class GarbageCollector {
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe?: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly deleteDependent: DeleteDependent,
    private readonly delayMs: number,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((change) => this.onChange(change));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Dependents of `owner` currently in the store. */
  dependentsOf(owner: StoredObject): { resource: ResourceType; object: StoredObject }[] {
    return this.store.dependentsOf(owner.metadata.uid);
  }

  private onChange(change: StoreChange): void {
    if (change.type === 'DELETED') {
      this.later(() => this.dependentsOf(change.object).forEach(({ resource, object }) => this.collect(resource, object)));
    } else if ((change.object.metadata.ownerReferences ?? []).length > 0) {
      this.later(() => {
        const current = this.store.peek(change.resource, change.object.metadata.namespace, change.object.metadata.name);
        if (current && current.metadata.uid === change.object.metadata.uid) this.collect(change.resource, current);
      });
    }
  }

  private collect(resource: ResourceType, dependent: StoredObject): void {
    const references = dependent.metadata.ownerReferences ?? [];
    const live = references.filter((reference) => this.ownerExists(dependent, reference));
    if (live.length === references.length) return;
    if (live.length === 0) {
      this.deleteDependent(resource, dependent);
      return;
    }
    this.store.update(resource, { ...dependent, metadata: { ...dependent.metadata, ownerReferences: live } });
  }

  private ownerExists(dependent: StoredObject, reference: OwnerReference): boolean {
    const owner = this.store.findByUid(reference.uid);
    if (!owner || owner.resource.kind !== reference.kind) return false;
    return !owner.resource.namespaced || owner.object.metadata.namespace === dependent.metadata.namespace;
  }

  private later(action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, this.delayMs);
    this.timers.add(timer);
  }
}
