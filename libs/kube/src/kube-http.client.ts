import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConnection } from './kube-connection.js';

/** A call the API refused: its status code, its body (a Status object, as a rule) and its headers (Retry-After). */
export class KubeApiException extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${code}`);
    this.name = 'KubeApiException';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

/** No call but a watch or a log stream waits longer than this for its whole answer. */
const CALL_TIMEOUT_MS = 30_000;
/** A JSON answer larger than this is refused rather than held in memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The Kubernetes REST API over node:http with kept-alive connections: JSON in,
 * JSON out, a refusal as KubeApiException, and line streams for watches and
 * logs. The few calls the deployer makes need no generated client (which
 * weighs some 85 MiB of resident memory and (de)serialises every object
 * through its models).
 */
export class KubeHttpClient {
  constructor(private readonly connection: KubeConnection) {}

  async json<T>(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const response = await this.open(method, path, options.query, headers, payload, options.signal, CALL_TIMEOUT_MS);
    const body = await readBody(response);
    const parsed = parseJson(body);
    if ((response.statusCode ?? 0) >= 300) throw new KubeApiException(response.statusCode ?? 0, parsed ?? body, headersOf(response));
    return parsed as T;
  }

  /**
   * Streams an answer line by line (a watch's events, a container's log)
   * until it ends or `signal` aborts; a refusal throws KubeApiException before
   * any line.
   */
  async lines(path: string, query: Query, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    const response = await this.open('GET', path, query, { accept: '*/*' }, undefined, signal);
    if ((response.statusCode ?? 0) >= 300) {
      const body = await readBody(response).catch(() => '');
      throw new KubeApiException(response.statusCode ?? 0, parseJson(body) ?? body, headersOf(response));
    }
    await new Promise<void>((resolve) => {
      let pending = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const parts = (pending + chunk).split(/\r?\n/);
        pending = parts.pop() ?? '';
        for (const part of parts) onLine(part);
      });
      const end = () => {
        if (pending) onLine(pending);
        pending = '';
        resolve();
      };
      response.on('end', end);
      response.on('error', end);
      response.on('aborted', end);
      response.on('close', end);
    });
  }

  private async open(
    method: string,
    path: string,
    query: Query | undefined,
    headers: Record<string, string>,
    payload: Buffer | undefined,
    signal: AbortSignal | undefined,
    timeoutMs?: number,
  ): Promise<IncomingMessage> {
    const url = new URL(path, this.connection.server);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const auth = await this.connection.headers();
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const request = client.request(url, { method, agent: this.connection.agent, headers: { ...headers, ...auth, 'user-agent': 'openserverless-deployer' } });
      if (signal) {
        // Not the request's own `signal` option: that destroys the request with an AbortError, which is thrown as an
        // uncaught exception when the abort comes from a handler of the answer's last line (a watch's ERROR event
        // followed by the end of the stream), and costs an error with its stack on every stream closed.
        const abort = () => request.destroy();
        signal.addEventListener('abort', abort, { once: true });
        request.once('close', () => signal.removeEventListener('abort', abort));
      }
      if (timeoutMs) {
        request.setTimeout(timeoutMs, () => {
          const error = new Error(`the Kubernetes API did not answer ${method} ${url.pathname} within ${timeoutMs} ms`);
          error.name = 'TimeoutError';
          request.destroy(error);
        });
      }
      request.on('response', resolve);
      request.on('error', reject);
      request.end(payload);
    });
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) response.destroy(new Error(`the Kubernetes API answered more than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('the Kubernetes API connection was reset (ECONNRESET)')));
  });
}

function parseJson(body: string): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function headersOf(response: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(response.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value ?? '')]));
}
