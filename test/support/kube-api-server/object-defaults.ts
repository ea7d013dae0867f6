import { arrayAt, isRecord, recordAt, type KubeObject } from './kube-object.js';

/** Server-side defaulting the real registries apply on create, for the fields clients commonly read back. */
export function applyCreateDefaults(object: KubeObject): void {
  switch (object.kind) {
    case 'Namespace':
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name ?? '' };
      object['spec'] = { finalizers: ['kubernetes'] };
      object['status'] = { phase: 'Active' };
      return;
    case 'Secret':
      defaultSecret(object);
      return;
    case 'Pod':
      defaultPodSpec(recordAt(object, 'spec'), 'Always');
      object['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
      return;
    case 'Job':
      defaultJob(object);
      return;
  }
}

/** `stringData` is write-only: it is merged into `data` as base64 on every write. */
export function defaultSecret(object: KubeObject): void {
  object['type'] ??= 'Opaque';
  const stringData = recordAt(object, 'stringData');
  const data = { ...recordAt(object, 'data') };
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value)).toString('base64');
  delete object['stringData'];
  if (Object.keys(data).length > 0) object['data'] = data;
}

function defaultJob(job: KubeObject): void {
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  const spec = recordAt(job, 'spec');
  const template = recordAt(spec, 'template');
  const templateMeta = recordAt(template, 'metadata');
  const selectorLabels = { 'batch.kubernetes.io/controller-uid': uid };
  templateMeta['labels'] = {
    ...recordAt(templateMeta, 'labels'),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  template['metadata'] = templateMeta;
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) {
    job.metadata.labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  }
  spec['selector'] ??= { matchLabels: selectorLabels };
  spec['backoffLimit'] ??= 6;
  spec['completions'] ??= 1;
  spec['parallelism'] ??= 1;
  spec['completionMode'] ??= 'NonIndexed';
  spec['suspend'] ??= false;
  spec['manualSelector'] ??= false;
  spec['podReplacementPolicy'] ??= 'TerminatingOrFailed';
  defaultPodSpec(recordAt(template, 'spec'), undefined);
  job['status'] = {};
}

function defaultPodSpec(spec: Record<string, unknown>, restartPolicy: string | undefined): void {
  if (restartPolicy) spec['restartPolicy'] ??= restartPolicy;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['securityContext'] ??= {};
  for (const container of [...arrayAt(spec, 'initContainers'), ...arrayAt(spec, 'containers')]) {
    const image = String(container['image'] ?? '');
    const tagged = /:[^/]+$/.test(image.replace(/@.*$/, '')) && !image.endsWith(':latest');
    container['imagePullPolicy'] ??= tagged || image.includes('@') ? 'IfNotPresent' : 'Always';
    container['terminationMessagePath'] ??= '/dev/termination-log';
    container['terminationMessagePolicy'] ??= 'File';
    if (!isRecord(container['resources'])) container['resources'] = {};
  }
}
