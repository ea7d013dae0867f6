/**
 * A burst of identical POSTs, run as a process of its own so that the
 * generator is not the bottleneck (nor shares a heap with the benchmark):
 * `count` requests on `inFlight` lanes, each lane one connection sending its
 * requests one after another (kept alive). With as many lanes as requests,
 * every request comes at once on a connection of its own. Plain sockets and
 * pre-built request bytes (raw-http.ts): the generator's CPU per request is a
 * few microseconds.
 *
 * Every lane connects before the clock starts. Connecting costs this one
 * process about 100 µs a socket (500 lanes: some 60 ms before the first
 * request could leave, measured against bare Node http), which is the
 * generator's own work, not the server's; clients in service arrive from many
 * machines. The server still accepts the connections while the burst runs.
 * The burst starts when every lane is connected: each first request is timed
 * from then, each later one from when its lane sent it, to the end of its
 * answer; the time the lanes took to connect is reported beside. Bounded:
 * connecting and each answer are given up after 30 s. Prints one line
 * (BurstResult) on stdout.
 *
 * argv[2]: JSON of BurstOptions.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { AnswerReader, postBytes } from './raw-http.js';

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
  /** How long the lanes took to connect, before the burst started. */
  connectMs: number;
  /** CPU of this generator over the burst, in cores. */
  generatorCores: number;
}

const ANSWER_TIMEOUT_MS = 30_000;
const WARM_UP_ROUNDS = 5;
const WARM_UP_LANES = 16;

const parse = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
};

/** A connection to `url`, once it is established. */
function connected(url: URL): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error(`not connected in ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      resolve(socket);
    });
  });
}

interface Timed {
  wallMs: number;
  connectMs: number;
  generatorCores: number;
}

/** Connects `lanes` lanes to `url`, then sends `count` requests of `bytes` on them, filling `answers`. */
async function burst(url: URL, bytes: Buffer, count: number, lanes: number, answers: BurstAnswer[]): Promise<Timed> {
  const connecting = performance.now();
  const sockets = await Promise.all(Array.from({ length: Math.min(lanes, count) }, () => connected(url)));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const lane = async (socket: Socket, first: number) => {
    let sentAt = started;
    const reader = new AnswerReader(socket, ANSWER_TIMEOUT_MS);
    try {
      for (let index = first; index < count; index += sockets.length) {
        socket.write(bytes);
        const answer = await reader.next();
        answers[index] = { status: answer.status, body: parse(answer.body), ms: performance.now() - sentAt };
        sentAt = performance.now();
      }
    } finally {
      socket.destroy();
    }
  };
  await Promise.all(sockets.map((socket, first) => lane(socket, first)));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, connectMs: started - connecting, generatorCores: (cpu.user + cpu.system) / 1000 / wallMs };
}

/**
 * Runs this generator's own code (connecting, writing, reading and parsing
 * answers) against a canned local server until it is compiled, so that the
 * burst measures the server and not a cold generator: in a fresh process the
 * first requests of 16 lanes took 7–25 ms to bare Node http, against 1–4 ms
 * once warm.
 */
async function warmUp(bytes: Buffer): Promise<void> {
  const body = JSON.stringify({ id: 'warm-up', status: 'success', message: 'canned' });
  const answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const canned = createServer((socket) => {
    // Every request is `bytes`: each time a whole one more has arrived, it is answered.
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      while (pending >= bytes.length) {
        pending -= bytes.length;
        socket.write(answer);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => canned.listen(0, '127.0.0.1', resolve));
  const { port } = canned.address() as AddressInfo;
  try {
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      await burst(new URL(`http://127.0.0.1:${port}/`), bytes, WARM_UP_LANES * 20, WARM_UP_LANES, []);
    }
  } finally {
    await new Promise((resolve) => canned.close(resolve));
  }
}

async function main(options: BurstOptions): Promise<BurstResult> {
  const url = new URL(options.url);
  const bytes = postBytes(url, options.headers, options.body);
  await warmUp(bytes);
  const answers = new Array<BurstAnswer>(options.count);
  return { answers, ...(await burst(url, bytes, options.count, options.inFlight, answers)) };
}

main(JSON.parse(process.argv[2]) as BurstOptions).then(
  // Exit once the line is written: a pipe takes a long line in several writes.
  (result) => process.stdout.write(`BURST_RESULT ${JSON.stringify(result)}\n`, () => process.exit(0)),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
