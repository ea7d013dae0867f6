import { createRequire } from 'node:module';

// autocannon ships no types; this is the part of its result the benchmarks read.
export interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
  duration: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Bounds the run in count as well as time. */
  maxRequests: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Body of each request, built per request (e.g. a distinct target each time). */
  body?: () => string;
}

type Autocannon = (options: Record<string, unknown>) => Promise<LoadResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Loopback load, bounded in time and in request count. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    maxOverallRequests: options.maxRequests,
    method: options.method ?? 'GET',
    headers: options.headers,
    requests: options.body
      ? [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: options.body!() }) }]
      : undefined,
  });
}
