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
 * util-linux's setpriv sets the parent-death signal (prctl PR_SET_PDEATHSIG,
 * which Node cannot set) and then execs the program: when this process dies,
 * even of SIGKILL, the kernel kills the program, so a build never outlives
 * the worker that ran it (and never runs twice once another worker takes over).
 */
const DIE_WITH_PARENT = ['--pdeathsig', 'SIGKILL', '--'];
const SETPRIV = 'setpriv';

/**
 * Runs a program with an argument vector (never through a shell), reporting
 * each output line; stops it on timeout or abort, and it dies with this process.
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(SETPRIV, [...DIE_WITH_PARENT, command, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new Error(`${SETPRIV} (util-linux) is not on PATH; it makes builds die with their worker`)
          : error,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve({ code, timedOut, aborted });
    });
  });
}
