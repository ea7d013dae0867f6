import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devenvDir } from './devenv-paths.js';
import { isAlive } from './server-process.js';
import { isServiceName, type ServiceName } from './service-name.js';

/**
 * Test runs in the same tree share the servers. Each run holds a lease while
 * it runs; servers started by any run are stopped by the last one to leave, so
 * one run's teardown never stops a server another run is still using.
 */
export function acquireLease(started: readonly ServiceName[], stateDir = devenvDir()): void {
  const dir = leasesDir(stateDir);
  writeFileSync(join(dir, `${process.pid}.lease`), '');
  const pending = new Set([...startedByRuns(dir), ...started]);
  writeFileSync(join(dir, 'started'), [...pending].join('\n'));
}

/** Drops this process's lease; returns the servers to stop now (none while other runs hold leases). */
export function releaseLease(stateDir = devenvDir()): ServiceName[] {
  const dir = leasesDir(stateDir);
  rmSync(join(dir, `${process.pid}.lease`), { force: true });
  const others = readdirSync(dir)
    .filter((file) => file.endsWith('.lease'))
    .map((file) => Number.parseInt(file, 10))
    .filter((pid) => {
      if (isAlive(pid)) return true;
      rmSync(join(dir, `${pid}.lease`), { force: true });
      return false;
    });
  if (others.length > 0) return [];
  const toStop = startedByRuns(dir);
  rmSync(join(dir, 'started'), { force: true });
  return toStop;
}

function leasesDir(stateDir: string): string {
  const dir = join(stateDir, 'leases');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function startedByRuns(dir: string): ServiceName[] {
  let text = '';
  try {
    text = readFileSync(join(dir, 'started'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(isServiceName);
}
