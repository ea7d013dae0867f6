import { randomUUID } from 'node:crypto';
import { cloneObject, recordAt, type KubeObject, type StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import { generateName } from './generated-name.js';
import { applyCreateDefaults, defaultSecret } from './object-defaults.js';
import type { ObjectStore } from './object-store.js';
import { assertValid } from './object-validator.js';
import { resourceByKind, type ResourceType } from './resource-catalog.js';
import { updateErrors } from './update-rules.js';

const SERVER_OWNED_META = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink', 'managedFields'];

/**
 * Create and update as the apiserver's generic registry does them: server-owned
 * metadata, generateName, defaulting, validation, namespace checks, optimistic
 * concurrency on resourceVersion. Used by the REST handlers and the controllers alike.
 */
export class ObjectService {
  constructor(private readonly store: ObjectStore) {}

  /** `owned`: the caller hands `input` over (a request's freshly decoded body), so it is stored without a copy. */
  create(resource: ResourceType, input: KubeObject, namespace: string | undefined, owned = false): StoredObject {
    const object = owned ? input : cloneObject(input);
    for (const field of SERVER_OWNED_META) delete object.metadata[field];
    if (resource.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw statusErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      object.metadata.namespace = namespace;
      this.assertNamespaceAcceptsContent(namespace ?? '');
    } else delete object.metadata.namespace;
    if (!object.metadata.name && object.metadata.generateName) object.metadata.name = this.freeName(resource, namespace, object.metadata.generateName);
    object.metadata.uid = randomUUID();
    if (resource.kind !== 'Pod') delete object['status'];
    applyCreateDefaults(object);
    assertValid(resource, object);
    return this.store.create(resource, object as KubeObject & { metadata: { name: string } });
  }

  /** PUT semantics: the whole object, or only its status through the `status` subresource. */
  update(resource: ResourceType, namespace: string | undefined, name: string, input: KubeObject, subresource?: 'status'): StoredObject {
    const previous = this.store.get(resource, namespace, name);
    if (!previous) throw statusErrors.notFound(resource, name);
    if (input.metadata.name && input.metadata.name !== name) {
      throw statusErrors.badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (resource.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace) {
      throw statusErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== previous.metadata.resourceVersion) throw statusErrors.conflict(resource, name);
    const next: KubeObject = subresource === 'status' ? { ...previous, status: input['status'] } : { ...cloneObject(input), status: previous['status'] };
    next.metadata = subresource === 'status' ? previous.metadata : { ...input.metadata };
    for (const field of SERVER_OWNED_META) next.metadata[field] = previous.metadata[field];
    next.metadata.name = name;
    next.metadata.namespace = previous.metadata.namespace;
    if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
    if (next.metadata.deletionGracePeriodSeconds === undefined) delete next.metadata.deletionGracePeriodSeconds;
    if (next.metadata.generation === undefined) delete next.metadata.generation;
    if (next.metadata.managedFields === undefined) delete next.metadata.managedFields;
    if (next.metadata.selfLink === undefined) delete next.metadata.selfLink;
    if (resource.kind === 'Secret') defaultSecret(next);
    if (resource.kind === 'Namespace') next['spec'] = previous['spec'];
    assertValid(resource, next);
    const errors = updateErrors(previous, next);
    if (errors.length > 0) throw statusErrors.invalid(resource.kind, resource.group, name, errors);
    return this.store.update(resource, next as StoredObject);
  }

  /**
   * Status writes by the controllers: no validation round trip, just a new revision. `owned`: the caller hands
   * `status` over and never changes anything it holds afterwards, so it is stored without a copy.
   */
  writeStatus(resource: ResourceType, object: StoredObject, status: Record<string, unknown>, owned = false): StoredObject | undefined {
    const current = this.store.peek(resource, object.metadata.namespace, object.metadata.name);
    if (!current || current.metadata.uid !== object.metadata.uid) return undefined;
    return this.store.update(resource, { ...current, status: owned ? status : cloneObject(status) });
  }

  private freeName(resource: ResourceType, namespace: string | undefined, prefix: string): string {
    for (;;) {
      const candidate = generateName(prefix);
      if (!this.store.has(resource, namespace, candidate)) return candidate;
    }
  }

  private assertNamespaceAcceptsContent(namespace: string): void {
    const found = this.store.peek(resourceByKind('Namespace'), undefined, namespace);
    if (!found) throw statusErrors.notFound(resourceByKind('Namespace'), namespace);
    if (recordAt(found, 'status')['phase'] === 'Terminating') {
      throw statusErrors.forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }
}
