import type { KubeApiException } from './kube-http.client.js';

/** A Kubernetes API answer that retrying cannot fix, with the API's own message. */
export class KubernetesApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
}

const statusOf = (body: unknown): StatusBody => {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body ?? {}) as StatusBody;
};

export function toKubernetesApiError(error: KubeApiException): KubernetesApiError {
  const status = statusOf(error.body);
  return new KubernetesApiError(error.code, status.reason ?? `HTTP${error.code}`, status.message ?? error.message);
}

/** By shape, so that refusals of any client speaking the API's JSON count. */
export const isApiException = (error: unknown): error is KubeApiException =>
  typeof error === 'object' && error !== null && 'code' in error && 'body' in error;

export const isNotFound = (error: unknown) =>
  (isApiException(error) && error.code === 404) || (error instanceof KubernetesApiError && error.code === 404);

export const isAlreadyExists = (error: unknown) =>
  (isApiException(error) && error.code === 409) || (error instanceof KubernetesApiError && error.code === 409);
