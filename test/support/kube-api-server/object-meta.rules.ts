import type { KubeObject } from './kube-object.js';
import type { StatusCause } from './kube-status.js';
import { causes, dns1123LabelErrors, dns1123SubdomainErrors, labelsErrors, qualifiedKeyErrors } from './name-rules.js';
import type { ResourceType } from './resource-catalog.js';

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** ObjectMeta rules every kind shares: name syntax, labels, annotations, owner references. */
export function objectMetaErrors(resource: ResourceType, object: KubeObject): StatusCause[] {
  const meta = object.metadata;
  const errors: StatusCause[] = [];
  if (!meta.name) errors.push(causes.required('metadata.name', 'name or generateName is required'));
  else if (resource.kind === 'Namespace') errors.push(...dns1123LabelErrors('metadata.name', meta.name));
  else errors.push(...dns1123SubdomainErrors('metadata.name', meta.name));
  errors.push(...labelsErrors('metadata.labels', meta.labels));
  const annotations = meta.annotations ?? {};
  errors.push(...Object.keys(annotations).flatMap((key) => qualifiedKeyErrors('metadata.annotations', key)));
  const annotationBytes = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
  if (annotationBytes > MAX_ANNOTATIONS_BYTES) errors.push(causes.tooLong('metadata.annotations', MAX_ANNOTATIONS_BYTES));
  const owners = meta.ownerReferences ?? [];
  owners.forEach((owner, index) => {
    const field = `metadata.ownerReferences[${index}]`;
    if (!owner.apiVersion) errors.push(causes.invalid(`${field}.apiVersion`, owner.apiVersion ?? '', 'version must not be empty'));
    if (!owner.kind) errors.push(causes.invalid(`${field}.kind`, owner.kind ?? '', 'kind must not be empty'));
    if (!owner.name) errors.push(causes.invalid(`${field}.name`, owner.name ?? '', 'name must not be empty'));
    if (!owner.uid) errors.push(causes.invalid(`${field}.uid`, owner.uid ?? '', 'uid must not be empty'));
  });
  if (owners.filter((owner) => owner.controller).length > 1) {
    errors.push(causes.invalid('metadata.ownerReferences', owners, 'Only one reference can have Controller set to true'));
  }
  errors.push(...(meta.finalizers ?? []).flatMap((finalizer) => qualifiedKeyErrors('metadata.finalizers', finalizer)));
  return errors;
}
