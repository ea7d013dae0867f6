import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { freeLoopbackPort } from '#libs/devenv';
import { DeployedProcess, deployedStart } from './deployment-node-flags.js';
import { cpuSeconds } from './proc-stat.js';

const DIST = new URL('../', import.meta.url);
const OUTPUT_LINES = 200;

/** A compiled process of the product (or the bare server) run as a child, as in production. */
export class ChildServer {
  private readonly output: string[] = [];

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        this.output.push(...chunk.toString().split('\n').filter(Boolean));
        this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES));
      });
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Peak resident set size so far (VmHWM), in KiB. */
  peakRssKiB(): number {
    return this.statusField('VmHWM');
  }

  /** Resident set size now (VmRSS), in KiB. */
  rssKiB(): number {
    return this.statusField('VmRSS');
  }

  /** CPU time it has used so far (user + system), in seconds. */
  cpuSeconds(): number {
    return cpuSeconds(readFileSync(`/proc/${this.pid}/stat`, 'utf8'));
  }

  private statusField(name: string): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${name} in /proc/${this.pid}/status`);
    return Number(match[1]);
  }

  /** The last lines it wrote, to explain a failure. */
  tail(lines = 20): string {
    return this.output.slice(-lines).join('\n');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}

const CPU_PROFILE_HOOK = new URL('cpu-profile.hook.js', import.meta.url).href;

/**
 * More node flags for the processes a benchmark starts: BENCH_NODE_ARGS
 * (e.g. `--trace-gc`), and with BENCH_CPU_PROFILE=<dir> the hook that writes
 * each one's CPU profile there when it stops (cpu-profile.hook.ts).
 */
export const benchNodeArgs = (): string[] => [
  ...(process.env.BENCH_CPU_PROFILE ? ['--import', CPU_PROFILE_HOOK] : []),
  ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
];

/**
 * A process the benchmarks start: the product's, the bare yardstick, the
 * accept path's floor (run as the API is), or a worker's intake mover alone
 * (run as the worker is).
 */
type BenchProcess = DeployedProcess | 'bare' | 'floor' | 'mover';

const flagsOf = (name: BenchProcess): DeployedProcess => (name === 'floor' ? 'api' : name === 'mover' ? 'worker' : (name as DeployedProcess));

function spawnCompiled(name: BenchProcess, relativeMain: string, env: NodeJS.ProcessEnv): ChildServer {
  const main = fileURLToPath(new URL(relativeMain, DIST));
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  // The flags of the process's Deployment, then BENCH_NODE_ARGS; the Deployment's literal variables under the benchmark's own.
  let nodeArgs: string[] = [];
  let deployedEnv: Record<string, string> = {};
  if (name !== 'bare') {
    const deployed = deployedStart(flagsOf(name));
    nodeArgs = [...deployed.nodeFlags, ...benchNodeArgs()];
    deployedEnv = deployed.literalEnv;
  }
  return new ChildServer(name, spawn(process.execPath, [...nodeArgs, main], { env: { ...deployedEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function waitUntil(what: string, server: ChildServer, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready().catch(() => false))) {
    if (!server.running) throw new Error(`${what} exited before it was ready:\n${server.tail()}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms:\n${server.tail()}`);
    await sleep(50);
  }
}

/** Starts an HTTP child on a free loopback port and waits until `path` answers 200. */
async function startHttpChild(name: BenchProcess, main: string, env: NodeJS.ProcessEnv, path: string) {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawnCompiled(name, main, { ...env, LISTEN_HOST: '127.0.0.1', LISTEN_PORT: String(port) });
  await waitUntil(name, server, async () => (await fetch(`${url}${path}`)).status === 200);
  return { server, url };
}

/** The API (`dist/apps/api/src/main.js`), answering on `url`. */
export function startApiProcess(env: NodeJS.ProcessEnv): Promise<{ server: ChildServer; url: string }> {
  return startHttpChild('api', 'apps/api/src/main.js', env, '/system/health/live');
}

/** A Node http server answering a fixed JSON to anything, the yardstick of the accept path. */
export function startBareProcess(): Promise<{ server: ChildServer; url: string }> {
  return startHttpChild('bare', 'bench/bare-json.server.js', process.env, '/');
}

/** The accept path's floor (`accept-floor.server.ts`): Fastify and build/start's one Redis round trip, nothing else. */
export function startFloorProcess(env: NodeJS.ProcessEnv): Promise<{ server: ChildServer; url: string }> {
  return startHttpChild('floor', 'bench/accept-floor.server.js', env, '/');
}

/** A worker's intake mover alone (`intake-mover.process.ts`), returned once it has joined the intake's group. */
export async function startMoverProcess(env: NodeJS.ProcessEnv, joined: () => Promise<boolean>): Promise<ChildServer> {
  const server = spawnCompiled('mover', 'bench/intake-mover.process.js', env);
  await waitUntil('intake mover', server, joined);
  return server;
}

/** The worker (`dist/apps/worker/src/main.js`) with the node flags of its Deployment, returned once it consumes `queue`. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, queue: Queue): Promise<ChildServer> {
  const before = await queue.getWorkersCount();
  const server = spawnCompiled('worker', 'apps/worker/src/main.js', env);
  await waitUntil('worker', server, async () => (await queue.getWorkersCount()) > before);
  return server;
}
