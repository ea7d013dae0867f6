import { isDeepStrictEqual } from 'node:util';
import { arrayAt, recordAt, type KubeObject } from './kube-object.js';
import type { StatusCause } from './kube-status.js';
import { causes } from './name-rules.js';

/** Immutability rules the real registries enforce on update (PUT and PATCH). */
export function updateErrors(previous: KubeObject, next: KubeObject): StatusCause[] {
  switch (next.kind) {
    case 'ConfigMap':
    case 'Secret':
      return immutableDataErrors(previous, next);
    case 'Job':
      return jobUpdateErrors(previous, next);
    case 'Pod':
      return podUpdateErrors(previous, next);
    default:
      return [];
  }
}

function immutableDataErrors(previous: KubeObject, next: KubeObject): StatusCause[] {
  if (previous['immutable'] !== true) return [];
  const errors: StatusCause[] = [];
  if (next['immutable'] !== true) errors.push(causes.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of ['data', 'binaryData']) {
    if (!isDeepStrictEqual(previous[field], next[field])) errors.push(causes.forbidden(field, 'field is immutable when `immutable` is set'));
  }
  return errors;
}

function jobUpdateErrors(previous: KubeObject, next: KubeObject): StatusCause[] {
  return ['template', 'selector', 'completions', 'completionMode']
    .filter((field) => !isDeepStrictEqual(recordAt(previous, 'spec')[field], recordAt(next, 'spec')[field]))
    .map((field) => causes.invalid(`spec.${field}`, recordAt(next, 'spec')[field], 'field is immutable'));
}

/** Only container images and activeDeadlineSeconds of a pod may change. */
function podUpdateErrors(previous: KubeObject, next: KubeObject): StatusCause[] {
  const normalize = (pod: KubeObject) => {
    const spec = structuredClone(recordAt(pod, 'spec'));
    delete spec['activeDeadlineSeconds'];
    for (const container of [...arrayAt(spec, 'containers'), ...arrayAt(spec, 'initContainers')]) delete container['image'];
    return spec;
  };
  if (isDeepStrictEqual(normalize(previous), normalize(next))) return [];
  return [causes.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
}
