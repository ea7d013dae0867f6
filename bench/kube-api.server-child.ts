import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { JobSummary, KubeApiServerCounts, KubeApiServerInfo, KubeApiServerOptions } from './kube-api.server-process.js';
import { benchNodeArgs } from './deployer-process.js';
import { cpuSeconds } from './proc-stat.js';

/** The Kubernetes API test server's process (kube-api.server-process.ts), and the answers to the commands it is sent. */
export interface KubeApiServerChild {
  info: KubeApiServerInfo;
  counts(): Promise<KubeApiServerCounts>;
  jobs(): Promise<JobSummary[]>;
  /** The Jobs stored since the last call, with the epoch milliseconds when the server stored each. */
  created(): Promise<Record<string, number>>;
  /** CPU time the server's process has used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts the test server in a process of its own; BENCH_NODE_ARGS and BENCH_CPU_PROFILE apply to it as to the product's processes. */
export async function startKubeApiServerChild(options: KubeApiServerOptions): Promise<KubeApiServerChild> {
  const script = fileURLToPath(new URL('./kube-api.server-process.js', import.meta.url));
  const child = spawn(process.execPath, [...benchNodeArgs(), script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const answer = async (tag: string): Promise<string> => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`the test server's process ended before it answered ${tag}`);
      if (value.startsWith(`${tag} `)) return value.slice(tag.length + 1);
    }
  };
  // One command at a time: an answer is read as the next line with its tag.
  let asking: Promise<unknown> = Promise.resolve();
  const ask = <T>(command: string, tag: string): Promise<T> => {
    const next = asking.then(async () => {
      child.stdin.write(`${command}\n`);
      return JSON.parse(await answer(tag)) as T;
    });
    asking = next.catch(() => undefined);
    return next;
  };
  const info = JSON.parse(await answer('READY')) as KubeApiServerInfo;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    info,
    counts: () => ask<KubeApiServerCounts>('counts', 'COUNTS'),
    jobs: () => ask<JobSummary[]>('jobs', 'JOBS'),
    created: () => ask<Record<string, number>>('created', 'CREATED'),
    cpuSeconds: () => cpuSeconds(readFileSync(`/proc/${child.pid}/stat`, 'utf8')),
    async stop(): Promise<void> {
      if (child.exitCode === null) child.stdin.end('stop\n');
      await exited;
    },
  };
}
