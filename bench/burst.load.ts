/**
 * A burst of identical POSTs, run as a process of its own so that the
 * generator is not the bottleneck (nor shares a heap with the benchmark):
 * `count` requests on `inFlight` lanes, each lane one connection opened when
 * the burst starts, sending its requests one after another (kept alive).
 * With as many lanes as requests, every request comes at once on a
 * connection of its own. Plain sockets and pre-built request bytes: the
 * generator's CPU per request is a few microseconds. A request's latency
 * runs from when its lane sent it (for the first, from when the lane began
 * to connect) to the end of its answer. Bounded: each answer is given up
 * after 30 s. Prints one line (BurstResult) on stdout.
 *
 * argv[2]: JSON of BurstOptions.
 */
import { Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface BurstOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  count: number;
  inFlight: number;
}

export interface BurstAnswer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

export interface BurstResult {
  /** In request order. */
  answers: BurstAnswer[];
  wallMs: number;
  /** CPU of this generator over the burst, in cores. */
  generatorCores: number;
}

const ANSWER_TIMEOUT_MS = 30_000;
const HEAD_END = Buffer.from('\r\n\r\n');

function requestBytes(options: BurstOptions): Buffer {
  const url = new URL(options.url);
  const body = Buffer.from(options.body);
  const headers = { host: url.host, 'content-type': 'application/json', 'content-length': String(body.length), ...options.headers };
  const head = [`POST ${url.pathname}${url.search} HTTP/1.1`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
}

/** Reads whole answers (status line, headers, a Content-Length body) off one kept-alive connection. */
class AnswerReader {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting?: { resolve: (answer: { status: number; body: string }) => void; reject: (error: Error) => void };

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.deliver();
    });
    const fail = (error: Error) => this.waiting?.reject(error);
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection before answering')));
  }

  next(): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
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

const parse = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
};

async function main(options: BurstOptions): Promise<BurstResult> {
  const url = new URL(options.url);
  const bytes = requestBytes(options);
  const answers = new Array<BurstAnswer>(options.count);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const lane = async (first: number) => {
    let sentAt = performance.now();
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const reader = new AnswerReader(socket);
    try {
      for (let index = first; index < options.count; index += options.inFlight) {
        socket.write(bytes);
        const answer = await reader.next();
        answers[index] = { status: answer.status, body: parse(answer.body), ms: performance.now() - sentAt };
        sentAt = performance.now();
      }
    } finally {
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.inFlight, options.count) }, (_, first) => lane(first)));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { answers, wallMs, generatorCores: (cpu.user + cpu.system) / 1000 / wallMs };
}

main(JSON.parse(process.argv[2]) as BurstOptions).then(
  // Exit once the line is written: a pipe takes a long line in several writes.
  (result) => process.stdout.write(`BURST_RESULT ${JSON.stringify(result)}\n`, () => process.exit(0)),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
