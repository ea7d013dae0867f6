import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { KubernetesRepository } from '#libs/kube';

const WATCH_SECONDS = 30;

/**
 * Returns on the first change of a build Job or its Pods after the versions
 * read, when a watch ends (timeout, dropped connection), or on abort. The
 * caller re-reads either way, so a dropped watch costs one re-list.
 */
export async function waitForJobChange(
  kube: KubernetesRepository,
  job: string,
  versions: { job?: string; pods?: string },
  signal: AbortSignal,
): Promise<void> {
  const change = new AbortController();
  const stop = () => change.abort();
  signal.addEventListener('abort', stop, { once: true });
  const started = Date.now();
  let changed = false;
  const onEvent = (type: string) => {
    if (type === 'BOOKMARK') return;
    changed = true;
    stop();
  };
  try {
    await Promise.race([
      kube.watch<V1Job>(
        'jobs',
        { fieldSelector: `metadata.name=${job}`, resourceVersion: versions.job, timeoutSeconds: WATCH_SECONDS },
        onEvent,
        change.signal,
      ),
      kube.watch<V1Pod>(
        'pods',
        { labelSelector: `job-name=${job}`, resourceVersion: versions.pods, timeoutSeconds: WATCH_SECONDS },
        onEvent,
        change.signal,
      ),
    ]);
  } finally {
    stop();
    signal.removeEventListener('abort', stop);
  }
  // A watch that fails at once (API down, dropped connection) must not spin;
  // one that saw a change returns at once, however soon the change came.
  if (!changed && !signal.aborted && Date.now() - started < 250) await new Promise((resolve) => setTimeout(resolve, 500));
}
