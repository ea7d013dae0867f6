import { randomBytes } from 'node:crypto';

/** Builders for `status.containerStatuses[]` entries in the shapes the kubelet reports. */
export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  restartCount: number;
  started: boolean;
  state: Record<string, Record<string, unknown>>;
}

export function waitingStatus(name: string, image: string, reason: string, message?: string): ContainerStatus {
  return { name, image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: message ? { reason, message } : { reason } } };
}

export function runningStatus(name: string, image: string, startedAt: string): ContainerStatus {
  return {
    name,
    image,
    imageID: `${image.replace(/[:@].*$/, '')}@sha256:${randomBytes(32).toString('hex')}`,
    containerID: `containerd://${randomBytes(32).toString('hex')}`,
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt } },
  };
}

export function terminatedStatus(
  running: ContainerStatus,
  exitCode: number,
  reason: string,
  finishedAt: string,
  message?: string,
): ContainerStatus {
  const startedAt = running.state['running']?.['startedAt'] ?? finishedAt;
  return {
    ...running,
    ready: false,
    started: false,
    state: { terminated: { exitCode, reason, startedAt, finishedAt, containerID: running.containerID, ...(message ? { message } : {}) } },
  };
}

export function condition(type: string, status: 'True' | 'False', reason?: string): Record<string, unknown> {
  return { type, status, lastProbeTime: null, lastTransitionTime: timestamp(), ...(reason ? { reason } : {}) };
}

export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
