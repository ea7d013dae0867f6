import { spawn } from 'node:child_process';

export interface ProcessOutcome {
  code: number | null;
  timedOut: boolean;
  aborted: boolean;
}

export interface RunProcessOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  signal: AbortSignal;
  onLine: (line: string) => void;
}

/**
 * Runs a program with an argument vector (never through a shell), reporting
 * each output line; stops it on timeout or abort.
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    let aborted = false;
    const stop = () => child.kill('SIGTERM');
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (pending + chunk).split(/\r?\n/);
        pending = parts.pop() ?? '';
        for (const part of parts) options.onLine(part);
      });
      stream.on('end', () => {
        if (pending) options.onLine(pending);
      });
    }
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve({ code, timedOut, aborted });
    });
  });
}
