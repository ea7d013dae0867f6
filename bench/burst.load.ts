/**
 * A burst of identical POSTs, run as a process of its own so that the
 * generator is not the bottleneck (nor shares a heap with the benchmark):
 * `count` requests on `inFlight` lanes, each lane one connection opened when
 * the burst starts, sending its requests one after another (kept alive).
 * With as many lanes as requests, every request comes at once on a
 * connection of its own. Plain sockets and pre-built request bytes
 * (raw-http.ts): the generator's CPU per request is a few microseconds. A
 * request's latency runs from when its lane sent it (for the first, from when
 * the lane began to connect) to the end of its answer. Bounded: each answer is given up
 * after 30 s. Prints one line (BurstResult) on stdout.
 *
 * argv[2]: JSON of BurstOptions.
 */
import { connect } from 'node:net';
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
  /** CPU of this generator over the burst, in cores. */
  generatorCores: number;
}

const ANSWER_TIMEOUT_MS = 30_000;

const parse = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
};

async function main(options: BurstOptions): Promise<BurstResult> {
  const url = new URL(options.url);
  const bytes = postBytes(url, options.headers, options.body);
  const answers = new Array<BurstAnswer>(options.count);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const lane = async (first: number) => {
    let sentAt = performance.now();
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const reader = new AnswerReader(socket, ANSWER_TIMEOUT_MS);
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
