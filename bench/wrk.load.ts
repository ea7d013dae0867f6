import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToExit } from './child-output.js';
import { cpuSeconds } from './proc-stat.js';

/** What one wrk run measured; latencies in milliseconds. */
export interface WrkResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latency: { p50: number; p99: number; max: number };
  /** Answers that were not 2xx or 3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors. */
  errors: number;
  /** CPU the generator used over the run, in cores (1.0 = one core busy all the run). */
  generatorCores: number;
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /**
   * Each request's JSON body is `bodyHead + <tag> + bodyTail`, where the tag
   * is `tagPrefix` followed by a counter, so every request is distinct.
   */
  bodyHead: string;
  bodyTail: string;
  tagPrefix: string;
}

const lua = (value: string) => JSON.stringify(value); // a JSON string literal is a valid Lua string literal here (ASCII, no control characters)

/**
 * The Lua script of one run: POSTs distinct bodies and, at the end, prints a
 * JSON line with the figures wrk measured.
 */
function script(options: WrkOptions): string {
  const headers = Object.entries(options.headers)
    .map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`)
    .join('\n');
  return `
wrk.method = "POST"
${headers}
local head, tail, prefix, n = ${lua(options.bodyHead)}, ${lua(options.bodyTail)}, ${lua(options.tagPrefix)}, 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, head .. prefix .. n .. tail)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"status":%d,"errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;
}

/**
 * Runs wrk (one thread, a process of its own) for a fixed time, with no
 * request cap. wrk runs under a shell that prints its own /proc stat after
 * wrk exits: the shell's children CPU times are then wrk's, exactly.
 */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'deployer-wrk-'));
  try {
    const file = join(dir, 'load.lua');
    writeFileSync(file, script(options));
    const args = ['-t1', `-c${options.connections}`, `-d${options.durationSeconds}s`, '--timeout', '10s', '-s', file, options.url];
    const { code, output } = await runToExit('sh', ['-c', 'wrk "$@" || exit $?; echo; echo "SHELL_STAT $(cat /proc/$$/stat)"', 'wrk', ...args]);
    const result = /WRK_RESULT (\{.*\})/.exec(output);
    const stat = /SHELL_STAT (.*)/.exec(output);
    if (code !== 0 || !result || !stat) throw new Error(`wrk exited with ${code} (is wrk installed? scripts/install-system-packages.sh):\n${output.slice(-2000)}`);
    const r = JSON.parse(result[1]) as Record<string, number>;
    const seconds = r.duration_us / 1e6;
    return {
      requests: r.requests,
      seconds,
      perSecond: r.requests / seconds,
      latency: { p50: r.p50_us / 1000, p99: r.p99_us / 1000, max: r.max_us / 1000 },
      non2xx: r.status,
      errors: r.errors,
      generatorCores: cpuSeconds(stat[1], 'children') / seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
