import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '#libs/devenv';

export const REGISTRY_PROXY_MAIN = fileURLToPath(new URL('../../dist/apps/registry-proxy/src/main.js', import.meta.url));
const START_TIMEOUT_MS = 10_000;

export interface RegistryProxyProcess {
  /** 127.0.0.1:port the proxy listens on. */
  readonly host: string;
  readonly pid: number;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** SIGTERM; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Runs `node main.js` with these arguments (and its own environment only). */
export function runRegistryProxy(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(REGISTRY_PROXY_MAIN)) throw new Error(`${REGISTRY_PROXY_MAIN} is missing: run \`npm run build\` before the suites`);
  const child = spawn(process.execPath, [REGISTRY_PROXY_MAIN, ...args], {
    env: { PATH: String(process.env.PATH), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The compiled registry-proxy on a free loopback port, ready once `--check` says so. */
export async function startRegistryProxy(args: string[], env: Record<string, string> = {}): Promise<RegistryProxyProcess> {
  const host = `127.0.0.1:${await freeLoopbackPort()}`;
  const { child, exited, output } = runRegistryProxy(['--listen', host, ...args], env);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the registry proxy exited ${child.exitCode}: ${output()}`);
    if ((await runRegistryProxy(['--check', host]).exited) === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the registry proxy did not answer within ${START_TIMEOUT_MS} ms: ${output()}`);
    }
    await sleep(50);
  }
  return { host, pid: Number(child.pid), output, stop };
}
