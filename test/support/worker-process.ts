import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '#libs/devenv';

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

const API_MAIN = fileURLToPath(new URL('../../dist/apps/api/src/main.js', import.meta.url));

/** The compiled API as its own process on a free loopback port, once it answers its liveness probe. */
export async function spawnApi(env: NodeJS.ProcessEnv): Promise<ChildProcess & { output: string[]; url: string }> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run \`npm run build\` before the suites`);
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [API_MAIN], { env: { ...env, LISTEN_HOST: '127.0.0.1', LISTEN_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & {
    output: string[];
    url: string;
  };
  child.output = [];
  child.url = `http://127.0.0.1:${port}`;
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => child.output.push(chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited: ${child.output.join('')}`);
    const up = await fetch(`${child.url}/system/health/live`).then((r) => r.ok, () => false);
    if (up) return child;
    if (Date.now() > deadline) throw new Error('the API did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
