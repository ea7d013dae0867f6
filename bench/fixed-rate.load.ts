/**
 * An open-loop load generator, run as a process of its own: POSTs at a fixed
 * offered rate whatever the server's answers, on at most `connections`
 * kept-alive connections (opened before the clock starts, as a pooled client
 * holds them), and measures each request's latency from the time it was due
 * to be sent, so time spent waiting for a free connection counts (queueing
 * cannot hide in the figure). Plain sockets (raw-http.ts), so the generator's
 * own event loop adds next to nothing to what it measures. The first
 * `warmupSeconds` at the same rate are summarized apart (`warmup`): a server
 * that sat idle meets the load with the heap its memory reducer shrank, and
 * that transient is not the steady state the figure is about. Bounded: rate x
 * (warm-up + seconds) requests, each given up after 10 s. Prints one JSON
 * line (FixedRateResult) on stdout.
 *
 * argv[2]: JSON of FixedRateOptions.
 */
import { Socket, connect } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { summarize } from './latency-summary.js';
import { AnswerReader, postBytes } from './raw-http.js';

export interface FixedRateOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  /** Sent at the same rate before the measured `durationSeconds`; their latencies are `warmup`. */
  warmupSeconds?: number;
  connections: number;
  headers: Record<string, string>;
  bodyHead: string;
  bodyTail: string;
  tagPrefix: string;
}

export interface FixedRateResult {
  sent: number;
  ok: number;
  /** Answers other than 2xx, and requests that failed or timed out. */
  failed: number;
  /** The rate actually sent, per second. */
  achievedPerSecond: number;
  /** Of the requests due after the warm-up. */
  latency: { p50: number; p99: number; max: number };
  /** Of the requests due in the warm-up; zeros without one. */
  warmup: { p50: number; p99: number; max: number };
  /** CPU of this generator over the run, in cores. */
  generatorCores: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** One kept-alive connection; after a failure it connects again for its next request. */
class Lane {
  private socket?: Socket;
  private reader?: AnswerReader;

  constructor(private readonly url: URL) {}

  async open(): Promise<void> {
    const socket = connect({ host: this.url.hostname, port: Number(this.url.port), noDelay: true });
    this.reader = new AnswerReader(socket, REQUEST_TIMEOUT_MS);
    this.socket = socket;
    await once(socket, 'connect');
  }

  /** Sends `bytes` and resolves to whether the answer was 2xx. */
  async send(bytes: Buffer): Promise<boolean> {
    try {
      if (!this.socket) await this.open();
      this.socket!.write(bytes);
      const { status } = await this.reader!.next();
      return status >= 200 && status < 300;
    } catch {
      this.close();
      return false;
    }
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

async function main(options: FixedRateOptions): Promise<FixedRateResult> {
  const url = new URL(options.url);
  const lanes = Array.from({ length: options.connections }, () => new Lane(url));
  await Promise.all(lanes.map((lane) => lane.open()));
  const idle = [...lanes];
  const waiting: { index: number; due: number }[] = [];
  const warmupCount = Math.round(options.ratePerSecond * (options.warmupSeconds ?? 0));
  const total = warmupCount + Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  const warmupLatencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let answered = 0;
  let allAnswered!: () => void;
  const finished = new Promise<void>((resolve) => (allAnswered = resolve));

  // A lane takes the oldest request waiting, or goes idle.
  const run = async (lane: Lane, index: number, due: number): Promise<void> => {
    for (let next: { index: number; due: number } | undefined = { index, due }; next; next = waiting.shift()) {
      const body = `${options.bodyHead}${options.tagPrefix}${next.index}${options.bodyTail}`;
      const success = await lane.send(postBytes(url, options.headers, body));
      (next.index < warmupCount ? warmupLatencies : latencies).push(performance.now() - next.due);
      if (success) ok++;
      else failed++;
      if (++answered === total) allAnswered();
    }
    idle.push(lane);
  };
  const due = (index: number, at: number) => {
    // The lane idle longest: taking the last one back kept the others idle past the server's 5 s keep-alive timeout,
    // and a request sent as the server closed one was lost (answered by nothing, given up after 10 s).
    const lane = idle.shift();
    if (lane) void run(lane, index, at);
    else waiting.push({ index, due: at });
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    // Send every request that is due (catching up after a late timer), then sleep until the next one.
    while (sent < total && started + sent * intervalMs <= now) {
      due(sent, started + sent * intervalMs);
      sent++;
    }
    const wait = started + sent * intervalMs - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
  const sendingSeconds = (performance.now() - started) / 1000;
  if (total > 0) await finished;
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - started) / 1000;
  for (const lane of lanes) lane.close();
  const latency = summarize(latencies);
  const warmup = warmupLatencies.length > 0 ? summarize(warmupLatencies) : { p50: 0, p99: 0, max: 0 };
  return {
    sent,
    ok,
    failed,
    achievedPerSecond: sent / sendingSeconds,
    latency: { p50: latency.p50, p99: latency.p99, max: latency.max },
    warmup: { p50: warmup.p50, p99: warmup.p99, max: warmup.max },
    generatorCores: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

main(JSON.parse(process.argv[2]) as FixedRateOptions).then(
  (result) => {
    console.log(`FIXED_RATE_RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  },
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
