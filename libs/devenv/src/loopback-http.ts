import { request } from 'node:http';

export type HttpTarget =
  | { readonly host: string; readonly port: number }
  | { readonly socketPath: string };

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One small HTTP exchange; undefined when nothing answers (refused, reset, timeout). */
export function httpRequest(
  target: HttpTarget,
  path: string,
  options: HttpRequestOptions = {},
): Promise<HttpAnswer | undefined> {
  return new Promise((resolvePromise) => {
    const req = request(
      {
        ...target,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        timeout: options.timeoutMs ?? 2000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolvePromise(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(undefined));
    req.end(options.body);
  });
}
