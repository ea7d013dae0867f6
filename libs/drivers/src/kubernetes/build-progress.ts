import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { FailureReason, isFailureReason } from '#libs/errors';
import { BUILDKIT_CONTAINER } from './build-job.manifests.js';
import { REGISTRY_PROXY_CONTAINER } from './registry-proxy.sidecar.js';

export type BuildProgress =
  | { phase: 'pending' }
  | { phase: 'running'; pod: string }
  | { phase: 'succeeded'; pod?: string; digest: string }
  | { phase: 'failed'; pod?: string; reason: FailureReason; message: string };

/** Waiting reasons that will not resolve by themselves: the build fails instead of hanging. */
const FATAL_WAITING = new Set<string>([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
]);

const digestOf = (status: V1ContainerStatus | undefined): string => {
  const message = status?.state?.terminated?.message ?? '';
  try {
    const metadata = JSON.parse(message) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    return typeof digest === 'string' ? digest : '';
  } catch {
    return /sha256:[a-f0-9]{64}/.exec(message)?.[0] ?? '';
  }
};

/** The Job's Complete or Failed condition when it holds: a Job never leaves either. */
export const finishedCondition = (job: V1Job) => job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

const newestPod = (pods: V1Pod[]) =>
  [...pods].sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];

/** Where a build stands, from its Job and the Job's Pods. Pure, so every mapping is unit-tested. */
export function assessBuild(job: V1Job | null, pods: V1Pod[]): BuildProgress {
  if (!job) return { phase: 'failed', reason: 'JobDeleted', message: 'the build Job was deleted before it finished' };
  const pod = newestPod(pods);
  const podName = pod?.metadata?.name;
  const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
  const buildkit = pod?.status?.containerStatuses?.find((s) => s.name === BUILDKIT_CONTAINER);

  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  const exit = buildkit?.state?.terminated;
  if (failed && failed.reason !== 'DeadlineExceeded' && exit && exit.exitCode !== 0) {
    return { phase: 'failed', pod: podName, reason: 'BuildFailed', message: `BuildKit exited with code ${exit.exitCode}` };
  }
  if (failed) {
    // Kubernetes' own Job condition reasons are in the catalogue; any other is reported as JobFailed.
    const reason = isFailureReason(failed.reason) ? failed.reason : 'JobFailed';
    return { phase: 'failed', pod: podName, reason, message: failed.message ?? 'the build Job failed' };
  }
  const complete = job.status?.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
  if (complete) return { phase: 'succeeded', pod: podName, digest: digestOf(buildkit) };

  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason) && isFailureReason(waiting.reason)) {
      return { phase: 'failed', pod: podName, reason: waiting.reason, message: `${status.name}: ${waiting.message ?? waiting.reason}` };
    }
  }
  const terminated = buildkit?.state?.terminated;
  if (terminated) {
    if (terminated.exitCode === 0) return { phase: 'succeeded', pod: podName, digest: digestOf(buildkit) };
    return {
      phase: 'failed',
      pod: podName,
      reason: 'BuildFailed',
      message: `BuildKit exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`,
    };
  }
  // The proxy sidecar is restarted by the kubelet when it fails, and stopped (SIGTERM) when BuildKit ends: its exit is no verdict.
  const initFailure = pod?.status?.initContainerStatuses?.find((s) => s.name !== REGISTRY_PROXY_CONTAINER && (s.state?.terminated?.exitCode ?? 0) !== 0);
  if (initFailure) {
    return { phase: 'failed', pod: podName, reason: 'ContextCopyFailed', message: `copying the build context failed (exit ${initFailure.state?.terminated?.exitCode})` };
  }
  if (buildkit?.state?.running && podName) return { phase: 'running', pod: podName };
  return { phase: 'pending' };
}
