import { isRecord, recordAt, type StoredObject } from './kube-object.js';
import { statusErrors, successStatus } from './kube-status.js';
import type { GarbageCollector } from './garbage-collector.js';
import type { ObjectStore } from './object-store.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-catalog.js';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOutcome {
  code: number;
  body: unknown;
  warnings: string[];
}

const JOB_ORPHAN_WARNING =
  'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning';

/** Deletion with the three propagation policies, namespace termination and the batch/v1 Job default (Orphan). */
export class ObjectDeleter {
  private collector?: GarbageCollector;

  constructor(
    private readonly store: ObjectStore,
    private readonly delayMs: number,
  ) {}

  attach(collector: GarbageCollector): void {
    this.collector = collector;
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string, options: Record<string, unknown>): DeleteOutcome {
    const object = this.store.peek(resource, namespace, name);
    if (!object) throw statusErrors.notFound(resource, name);
    const preconditions = recordAt(options, 'preconditions');
    if (preconditions['uid'] !== undefined && preconditions['uid'] !== object.metadata.uid) {
      throw statusErrors.conflict(resource, name);
    }
    if (preconditions['resourceVersion'] !== undefined && preconditions['resourceVersion'] !== object.metadata.resourceVersion) {
      throw statusErrors.conflict(resource, name);
    }
    const explicit = policyOf(options);
    const policy = explicit ?? (resource.kind === 'Job' ? 'Orphan' : 'Background');
    const warnings = resource.kind === 'Job' && explicit === undefined ? [JOB_ORPHAN_WARNING] : [];
    if (resource.kind === 'Namespace') return { code: 200, body: this.terminateNamespace(object), warnings };
    if (policy === 'Foreground' && this.collector && this.collector.dependentsOf(object).length > 0) {
      return { code: 200, body: this.deleteForeground(resource, object), warnings };
    }
    if (policy === 'Orphan') this.orphanDependents(object);
    const removed = this.store.remove(resource, namespace, name);
    const body = resource.kind === 'Pod' ? removed : successStatus({ name, group: resource.group || undefined, kind: resource.plural, uid: object.metadata.uid });
    return { code: 200, body, warnings };
  }

  /** Deletes without the REST wrapping; used by controllers and the collector. */
  deleteQuietly(resource: ResourceType, object: StoredObject, policy: PropagationPolicy): void {
    const current = this.store.peek(resource, object.metadata.namespace, object.metadata.name);
    if (!current || current.metadata.uid !== object.metadata.uid) return;
    this.delete(resource, object.metadata.namespace, object.metadata.name, { propagationPolicy: policy });
  }

  private deleteForeground(resource: ResourceType, owner: StoredObject): StoredObject {
    const marked = this.store.update(resource, {
      ...owner,
      metadata: { ...owner.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 0, finalizers: [...(owner.metadata.finalizers ?? []), 'foregroundDeletion'] },
    });
    setTimeout(() => {
      for (const dependent of this.collector?.dependentsOf(marked) ?? []) this.deleteQuietly(dependent.resource, dependent.object, 'Foreground');
      const current = this.store.peek(resource, owner.metadata.namespace, owner.metadata.name);
      if (current?.metadata.uid === owner.metadata.uid) this.store.remove(resource, owner.metadata.namespace, owner.metadata.name);
    }, this.delayMs);
    return marked;
  }

  private orphanDependents(owner: StoredObject): void {
    for (const { resource, object } of this.collector?.dependentsOf(owner) ?? []) {
      const ownerReferences = (object.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== owner.metadata.uid);
      const metadata: StoredObject['metadata'] = { ...object.metadata, ownerReferences };
      if (ownerReferences.length === 0) delete metadata.ownerReferences;
      this.store.update(resource, { ...object, metadata });
    }
  }

  private terminateNamespace(namespace: StoredObject): StoredObject {
    const resource = RESOURCE_TYPES.find((type) => type.kind === 'Namespace') as ResourceType;
    const terminating = this.store.update(resource, { ...namespace, metadata: { ...namespace.metadata, deletionTimestamp: now() }, status: { phase: 'Terminating' } });
    setTimeout(() => {
      for (const type of RESOURCE_TYPES.filter((candidate) => candidate.namespaced)) {
        for (const object of this.store.listStored(type, namespace.metadata.name)) this.store.remove(type, object.metadata.namespace, object.metadata.name);
      }
      if (this.store.has(resource, undefined, namespace.metadata.name)) this.store.remove(resource, undefined, namespace.metadata.name);
    }, this.delayMs);
    return terminating;
  }
}

function policyOf(options: Record<string, unknown>): PropagationPolicy | undefined {
  const policy = options['propagationPolicy'];
  if (policy === undefined || policy === null || policy === '') {
    if (options['orphanDependents'] === true) return 'Orphan';
    if (options['orphanDependents'] === false) return 'Background';
    return undefined;
  }
  if (policy === 'Orphan' || policy === 'Background' || policy === 'Foreground') return policy;
  throw statusErrors.invalid('DeleteOptions', 'meta.k8s.io', '', [
    { reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`, field: 'propagationPolicy' },
  ]);
}

export function deleteOptionsFrom(query: URLSearchParams, body: unknown): Record<string, unknown> {
  const options: Record<string, unknown> = isRecord(body) ? { ...body } : {};
  const policy = query.get('propagationPolicy');
  if (policy) options['propagationPolicy'] = policy;
  const orphan = query.get('orphanDependents');
  if (orphan) options['orphanDependents'] = orphan === 'true';
  return options;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
