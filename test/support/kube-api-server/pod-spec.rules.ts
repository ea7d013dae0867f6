import { arrayAt, isRecord, recordAt, type KubeObject } from './kube-object.js';
import type { StatusCause } from './kube-status.js';
import { causes, dns1123LabelErrors, labelsErrors } from './name-rules.js';

interface PodSpecOptions {
  /** Pods must name an image; templates may leave it to higher-level tooling. */
  requireImage: boolean;
  allowedRestartPolicies: string[];
}

/** The PodSpec rules a driver is likely to trip: names, images, restart policy, volume references. */
export function podSpecErrors(spec: Record<string, unknown>, path: string, options: PodSpecOptions): StatusCause[] {
  const errors: StatusCause[] = [];
  const containers = arrayAt(spec, 'containers');
  const initContainers = arrayAt(spec, 'initContainers');
  if (containers.length === 0) errors.push(causes.required(`${path}.containers`));
  const volumes = new Set<string>();
  arrayAt(spec, 'volumes').forEach((volume, index) => {
    const name = String(volume['name'] ?? '');
    errors.push(...dns1123LabelErrors(`${path}.volumes[${index}].name`, name));
    if (volumes.has(name)) errors.push(causes.duplicate(`${path}.volumes[${index}].name`, name));
    volumes.add(name);
  });
  const seen = new Set<string>();
  const check = (list: Record<string, unknown>[], listName: string) =>
    list.forEach((container, index) => {
      const field = `${path}.${listName}[${index}]`;
      const name = String(container['name'] ?? '');
      errors.push(...dns1123LabelErrors(`${field}.name`, name));
      if (seen.has(name)) errors.push(causes.duplicate(`${field}.name`, name));
      seen.add(name);
      if (options.requireImage && !container['image']) errors.push(causes.required(`${field}.image`));
      arrayAt(container, 'volumeMounts').forEach((mount, mountIndex) => {
        if (!volumes.has(String(mount['name']))) errors.push(causes.notFound(`${field}.volumeMounts[${mountIndex}].name`, mount['name']));
        if (!mount['mountPath']) errors.push(causes.required(`${field}.volumeMounts[${mountIndex}].mountPath`));
      });
    });
  check(initContainers, 'initContainers');
  check(containers, 'containers');
  // Native sidecars (1.29+): an init container may say `Always`; a regular container may not set one.
  initContainers.forEach((container, index) => {
    const policy = container['restartPolicy'];
    if (policy !== undefined && policy !== 'Always') errors.push(causes.notSupported(`${path}.initContainers[${index}].restartPolicy`, policy, ['Always']));
  });
  containers.forEach((container, index) => {
    if (container['restartPolicy'] !== undefined) errors.push(causes.forbidden(`${path}.containers[${index}].restartPolicy`, 'may not be set for non-init containers'));
  });
  const restartPolicy = spec['restartPolicy'];
  if (restartPolicy === undefined) {
    if (!options.allowedRestartPolicies.includes('Always')) {
      errors.push(causes.required(`${path}.restartPolicy`, `valid values: ${options.allowedRestartPolicies.map((v) => JSON.stringify(v)).join(', ')}`));
    }
  } else if (!options.allowedRestartPolicies.includes(String(restartPolicy))) {
    errors.push(causes.notSupported(`${path}.restartPolicy`, restartPolicy, options.allowedRestartPolicies));
  }
  return errors;
}

export function podErrors(object: KubeObject): StatusCause[] {
  return podSpecErrors(recordAt(object, 'spec'), 'spec', { requireImage: true, allowedRestartPolicies: ['Always', 'OnFailure', 'Never'] });
}

export function jobErrors(object: KubeObject): StatusCause[] {
  const spec = recordAt(object, 'spec');
  const errors: StatusCause[] = [];
  if (!isRecord(spec['template'])) return [causes.required('spec.template')];
  const templateLabels = recordAt(spec, 'template', 'metadata', 'labels') as Record<string, string>;
  errors.push(...labelsErrors('spec.template.labels', templateLabels));
  errors.push(...podSpecErrors(recordAt(spec, 'template', 'spec'), 'spec.template.spec', { requireImage: false, allowedRestartPolicies: ['OnFailure', 'Never'] }));
  for (const field of ['backoffLimit', 'completions', 'parallelism', 'ttlSecondsAfterFinished'] as const) {
    const value = spec[field];
    if (typeof value === 'number' && value < 0) errors.push(causes.invalid(`spec.${field}`, value, 'must be greater than or equal to 0'));
  }
  const deadline = spec['activeDeadlineSeconds'];
  if (typeof deadline === 'number' && deadline <= 0) errors.push(causes.invalid('spec.activeDeadlineSeconds', deadline, 'must be greater than or equal to 1'));
  return errors;
}
