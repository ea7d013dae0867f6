import http from 'node:http';
import https from 'node:https';

/** What the registry answered: status, headers and the whole body. */
export class RegistryAnswer {
  constructor(
    readonly status: number,
    private readonly headerValues: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  header(name: string): string | undefined {
    const value = this.headerValues[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  json<T>(): T {
    return JSON.parse(this.body.toString('utf8')) as T;
  }
}

const MAX_BODY = 8 * 1024 * 1024;

/**
 * Plain http(s) with kept-alive connections: every build request asks the
 * registry whether its image exists, and fetch's per-request machinery
 * cost more than the question.
 */
export class RegistryHttpClient {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(private readonly timeoutMs: number) {}

  /** One request; `deadlineMs` bounds it whole, however slowly the registry trickles its answer. */
  request(url: URL, method: string, headers: Record<string, string>, deadlineMs = this.timeoutMs): Promise<RegistryAnswer> {
    const client = url.protocol === 'https:' ? https : http;
    const limitMs = Math.min(deadlineMs, this.timeoutMs);
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        { method, headers, agent: this.agents[url.protocol as 'http:' | 'https:'], timeout: this.timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) request.destroy(new Error(`answer larger than ${MAX_BODY} bytes`));
            else chunks.push(chunk);
          });
          response.on('end', () => resolve(new RegistryAnswer(response.statusCode ?? 0, response.headers, Buffer.concat(chunks))));
          response.on('error', reject);
        },
      );
      const overall = setTimeout(() => request.destroy(new Error(`no complete answer within ${limitMs} ms`)), limitMs);
      request.on('close', () => clearTimeout(overall));
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', reject);
      request.end();
    });
  }
}
