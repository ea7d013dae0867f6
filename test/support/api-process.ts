import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '#libs/devenv';

const API_MAIN = fileURLToPath(new URL('../../dist/apps/api/src/main.js', import.meta.url));

export type ApiProcess = ChildProcess & { output: string[]; url: string; port: number };

/**
 * The compiled API as its own process, so a test can kill it like a crash
 * would; resolves once it answers its liveness probe. `port` reuses an
 * address (a restart behind the same Service).
 */
export async function spawnApi(env: NodeJS.ProcessEnv, port?: number): Promise<ApiProcess> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run \`npm run build\` before the suites`);
  const listen = port ?? (await freeLoopbackPort());
  const child = spawn(process.execPath, [API_MAIN], {
    env: { ...env, LISTEN_HOST: '127.0.0.1', LISTEN_PORT: String(listen) },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ApiProcess;
  child.output = [];
  child.port = listen;
  child.url = `http://127.0.0.1:${listen}`;
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => child.output.push(chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) before it answered:\n${child.output.join('')}`);
    const live = await fetch(`${child.url}/system/health/live`).then((r) => r.status === 200, () => false);
    if (live) return child;
    if (Date.now() > deadline) throw new Error(`the API did not answer within 60 s:\n${child.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
