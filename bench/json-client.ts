import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Time from sending the request to the end of the answer. */
  ms: number;
  /** performance.now() when the answer ended. */
  at: number;
}

/**
 * JSON requests over loopback on kept-alive connections. One client per
 * burst of requests, closed after it: a connection left idle past the
 * server's keep-alive timeout would be closed under a later request.
 */
export class JsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });

  send(url: string, method: 'GET' | 'POST' | 'DELETE', headers: Record<string, string>, body?: unknown): Promise<JsonAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const options = { method, agent: this.agent, headers: payload ? { ...headers, 'content-type': 'application/json' } : headers };
      const outgoing = request(url, options, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const at = performance.now();
          resolve({ status: incoming.statusCode ?? 0, body: parse(Buffer.concat(chunks).toString()), ms: at - started, at });
        });
      });
      outgoing.setTimeout(30_000, () => outgoing.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function parse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

/** Runs `count` calls with at most `inFlight` at once, answers in call order. */
export async function inParallel<T>(count: number, inFlight: number, call: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await call(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return results;
}
