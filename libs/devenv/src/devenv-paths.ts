import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest ancestor of this file that holds a package.json: the repository root. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`devenv: no package.json above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
  return dir;
}

/** Where servers keep their data, logs and pid files: DEVENV_DIR, else `<repo>/.devenv`. */
export function devenvDir(): string {
  const configured = process.env.DEVENV_DIR;
  return configured ? resolve(configured) : join(repositoryRoot(), '.devenv');
}

export interface ServerPaths {
  /** Working directory and data of the server. */
  readonly dir: string;
  readonly pidFile: string;
  readonly logFile: string;
}

export function serverPaths(name: string, stateDir = devenvDir()): ServerPaths {
  const dir = join(stateDir, name);
  mkdirSync(dir, { recursive: true });
  return { dir, pidFile: join(stateDir, `${name}.pid`), logFile: join(stateDir, `${name}.log`) };
}
