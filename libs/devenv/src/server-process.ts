import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerPaths } from './devenv-paths.js';
import { waitFor } from './wait-for.js';

export interface ServerLaunch {
  /** Short name used in messages, e.g. "redis". */
  readonly name: string;
  readonly paths: ServerPaths;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Whether the server answers at its address. */
  readonly answers: () => Promise<boolean>;
  readonly startTimeoutMs?: number;
}

const MISSING_PACKAGES_HINT = 'run scripts/install-system-packages.sh';

/**
 * Reuses a server that answers, else starts `command` detached in its own
 * process group (output to the log file, pid to the pid file) and waits until
 * it answers. Returns whether this call started it.
 */
export async function ensureServer(launch: ServerLaunch): Promise<boolean> {
  if (await launch.answers()) return false;
  const timeoutMs = launch.startTimeoutMs ?? 30_000;
  const starting = runningPid(launch.paths.pidFile, launch.command);
  if (starting !== undefined) {
    // Another run started it a moment ago; wait for it instead of racing for the port.
    const failure = await waitFor(launch.answers, timeoutMs, () => exitedReason(starting));
    if (failure) throw startError(launch, failure);
    return false;
  }
  const pid = await spawnDetached(launch);
  let exit: string | undefined;
  const failure = await waitFor(launch.answers, timeoutMs, () => (exit = exitedReason(pid)));
  if (failure) {
    if (!exit) await stopPid(pid, launch.command);
    rmSync(launch.paths.pidFile, { force: true });
    throw startError(launch, failure);
  }
  return true;
}

/** Stops the server whose pid file this module wrote, if it still runs. Returns whether it did. */
export async function stopServer(paths: ServerPaths, command: string): Promise<boolean> {
  const pid = runningPid(paths.pidFile, command);
  rmSync(paths.pidFile, { force: true });
  if (pid === undefined) return false;
  await stopPid(pid, command);
  return true;
}

async function spawnDetached(launch: ServerLaunch): Promise<number> {
  const log = openSync(launch.paths.logFile, 'a');
  writeFileSync(log, `--- ${new Date().toISOString()} ${launch.command} ${launch.args.join(' ')}\n`);
  const child = spawn(launch.command, launch.args, {
    cwd: launch.paths.dir,
    env: launch.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const spawned = await new Promise<Error | undefined>((resolvePromise) => {
    child.once('spawn', () => resolvePromise(undefined));
    child.once('error', resolvePromise);
  });
  if (spawned || child.pid === undefined) {
    const reason = spawned?.message ?? 'no pid';
    throw new Error(`devenv: cannot start ${launch.name} (${reason}); ${MISSING_PACKAGES_HINT}`);
  }
  child.unref();
  writeFileSync(launch.paths.pidFile, `${child.pid}\n`);
  return child.pid;
}

function startError(launch: ServerLaunch, failure: string): Error {
  const tail = logTail(launch.paths.logFile).map((line) => `\n  | ${line}`).join('');
  return new Error(`devenv: ${launch.name} did not start (${failure}); see ${launch.paths.logFile}${tail}`);
}

function logTail(logFile: string, lines = 5): string[] {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

/** The pid in the file when that process is alive and runs `command`. */
function runningPid(pidFile: string, command: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return undefined;
  return processName(pid) === basename(command).slice(0, 15) ? pid : undefined;
}

function exitedReason(pid: number): string | undefined {
  return isAlive(pid) ? undefined : 'it exited';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readProc(pid, 'stat');
  // A zombie has exited; only its parent has not reaped it yet.
  return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

function processName(pid: number): string | undefined {
  return readProc(pid, 'comm')?.trim();
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** SIGTERM to the server, a bounded wait, then SIGKILL to its whole process group. */
async function stopPid(pid: number, command: string, graceMs = 20_000): Promise<void> {
  if (processName(pid) !== basename(command).slice(0, 15)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) signal(-pid, 'SIGKILL');
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // Already gone.
  }
}
