import { isApiException, toKubernetesApiError } from './kubernetes-api.error.js';

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs?: number;
}

/**
 * Shared by the calls of one client: once the API answers 429 with a
 * Retry-After, no call of that client is sent before that time has passed,
 * not only the one that was refused.
 */
export class RetryAfterGate {
  private openAt = 0;

  closeFor(ms: number): void {
    this.openAt = Math.max(this.openAt, Date.now() + ms);
  }

  /** Waits until the gate is open. */
  async passed(signal?: AbortSignal): Promise<void> {
    for (let wait = this.openAt - Date.now(); wait > 0; wait = this.openAt - Date.now()) await sleep(wait, signal);
  }
}

const retryAfterMs = (error: unknown): number | null => {
  if (!isApiException(error) || error.code !== 429) return null;
  const seconds = Number(error.headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 30_000) : null;
};

const TRANSIENT_NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|fetch failed|other side closed|terminated|UND_ERR/i;

/** How long to wait before retrying, or null when the error is final. */
export function retryDelay(error: unknown, attempt: number, policy: RetryPolicy): number | null {
  const backoff = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs ?? 10_000);
  const jittered = backoff / 2 + Math.random() * (backoff / 2);
  if (isApiException(error)) {
    if (error.code === 429) return retryAfterMs(error) ?? jittered;
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
 * network faults with exponential backoff. With a gate, a Retry-After holds
 * back every call sharing it. A final API error becomes a KubernetesApiError
 * carrying the API's message.
 */
export async function withApiRetries<T>(call: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal, gate?: RetryAfterGate): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      await gate?.passed(signal);
      return await call();
    } catch (error) {
      const delay = attempt < policy.retries ? retryDelay(error, attempt, policy) : null;
      if (delay === null) throw isApiException(error) ? toKubernetesApiError(error) : error;
      const retryAfter = retryAfterMs(error);
      if (gate && retryAfter !== null) gate.closeFor(retryAfter);
      await sleep(delay, signal);
    }
  }
}
