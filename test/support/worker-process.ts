import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = fileURLToPath(new URL('../../dist/apps/worker/src/main.js', import.meta.url));

/** The compiled worker as its own process, so a test can kill it like a crash would. */
export function spawnWorker(env: NodeJS.ProcessEnv): ChildProcess & { output: string[] } {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npm run build\` before the suites`);
  const child = spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & {
    output: string[];
  };
  child.output = [];
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => child.output.push(chunk.toString()));
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}
