/**
 * An open-loop load generator, run as a process of its own: POSTs at a fixed
 * offered rate whatever the server's answers, on at most `connections`
 * kept-alive connections, and measures each request's latency from the time
 * it was due to be sent, so time spent waiting for a connection counts
 * (queueing cannot hide in the figure). Bounded: rate x seconds requests, each
 * given up after 10 s. Prints one JSON line (FixedRateResult) on stdout.
 *
 * argv[2]: JSON of FixedRateOptions.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize } from './latency-summary.js';

export interface FixedRateOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
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
  latency: { p50: number; p99: number; max: number };
  /** CPU of this generator over the run, in cores. */
  generatorCores: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

async function main(options: FixedRateOptions): Promise<FixedRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const send = (index: number, due: number) =>
    new Promise<void>((resolve) => {
      const body = `${options.bodyHead}${options.tagPrefix}${index}${options.bodyTail}`;
      const done = (success: boolean) => {
        latencies.push(performance.now() - due);
        if (success) ok++;
        else failed++;
        resolve();
      };
      const outgoing = request(options.url, { method: 'POST', agent, headers: { ...options.headers, 'content-length': Buffer.byteLength(body) } }, (incoming) => {
        incoming.resume();
        incoming.on('end', () => done((incoming.statusCode ?? 0) >= 200 && (incoming.statusCode ?? 0) < 300));
        incoming.on('error', () => done(false));
      });
      outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', () => done(false));
      outgoing.end(body);
    });

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    // Send every request that is due (catching up after a late timer), then sleep until the next one.
    while (sent < total && started + sent * intervalMs <= now) {
      pending.push(send(sent, started + sent * intervalMs));
      sent++;
    }
    const wait = started + sent * intervalMs - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
  const sendingSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const latency = summarize(latencies);
  return {
    sent,
    ok,
    failed,
    achievedPerSecond: sent / sendingSeconds,
    latency: { p50: latency.p50, p99: latency.p99, max: latency.max },
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
