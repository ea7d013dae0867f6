/**
 * HTTP/1.1 over plain sockets for the load generators: a request's bytes
 * built once, and whole answers read off a kept-alive connection, so that a
 * generator spends a few microseconds a request and is not the bottleneck
 * (nor the source of the latency it measures).
 */
import type { Socket } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

/** The head of a POST of `bodyLength` bytes to `url` with `headers`, up to and including the blank line. */
export function postHead(url: URL, headers: Record<string, string>, bodyLength: number): string {
  const all = { host: url.host, 'content-type': 'application/json', 'content-length': String(bodyLength), ...headers };
  const lines = [`POST ${url.pathname}${url.search} HTTP/1.1`, ...Object.entries(all).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The whole POST of `body` to `url`. */
export function postBytes(url: URL, headers: Record<string, string>, body: string): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from(postHead(url, headers, bytes.length)), bytes]);
}

export interface RawAnswer {
  status: number;
  body: string;
}

/** Reads whole answers (status line, headers, a Content-Length body) off one kept-alive connection, one at a time. */
export class AnswerReader {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting?: { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void };

  constructor(
    socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.deliver();
    });
    const fail = (error: Error) => this.waiting?.reject(error);
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection before answering')));
  }

  next(): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
      this.waiting = {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting) return;
    const headEnd = this.buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buffered.subarray(0, headEnd).toString('latin1').split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const header = (name: string) => head.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    if (header('transfer-encoding')) {
      this.waiting.reject(new Error('a chunked answer: this generator reads Content-Length bodies only'));
      return;
    }
    const length = Number(header('content-length') ?? 0);
    const bodyStart = headEnd + HEAD_END.length;
    if (this.buffered.length < bodyStart + length) return;
    const body = this.buffered.subarray(bodyStart, bodyStart + length).toString('utf8');
    this.buffered = this.buffered.subarray(bodyStart + length);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve({ status, body });
  }
}
