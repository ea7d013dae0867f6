import { isApiException, toKubernetesApiError } from './kubernetes-api.error.js';

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs?: number;
}

const TRANSIENT_NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|fetch failed|other side closed|terminated|UND_ERR/i;

/** How long to wait before retrying, or null when the error is final. */
export function retryDelay(error: unknown, attempt: number, policy: RetryPolicy): number | null {
  const backoff = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs ?? 10_000);
  const jittered = backoff / 2 + Math.random() * (backoff / 2);
  if (isApiException(error)) {
    if (error.code === 429) {
      const retryAfter = Number(error.headers?.['retry-after']);
      return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : jittered;
    }
    return error.code >= 500 ? jittered : null;
  }
  const text = error instanceof Error ? `${error.name} ${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return TRANSIENT_NETWORK.test(text) || (error instanceof Error && error.name === 'TimeoutError') ? jittered : null;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/**
 * Calls the Kubernetes API, retrying 5xx, 429 (honouring Retry-After) and
 * network faults with exponential backoff. A final API error becomes a
 * KubernetesApiError carrying the API's message.
 */
export async function withApiRetries<T>(call: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const delay = attempt < policy.retries ? retryDelay(error, attempt, policy) : null;
      if (delay === null) throw isApiException(error) ? toKubernetesApiError(error) : error;
      await sleep(delay, signal);
    }
  }
}
