import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './command-runner.js';
import { tarArchive, type TarEntry } from './tar-archive.js';

/** What a root filesystem is made of: generated entries plus files copied from this machine. */
export interface HostRootfsPlan {
  /** Written first (busybox, passwd, scripts…). */
  readonly entries: readonly TarEntry[];
  /** Copied as they are (directories whole, symlinks as symlinks), at the same path. */
  readonly hostPaths: readonly string[];
  /** Programs whose shared libraries (as ldd lists them) are copied too, resolved to files. */
  readonly linkedPrograms: readonly string[];
}

/**
 * A root filesystem tar made of generated entries and this machine's own
 * files, so runtime look-alikes need nothing pulled. Ownership and times are
 * normalised, so the same plan gives the same bytes (and keeps the image).
 */
export async function hostRootfs(plan: HostRootfsPlan): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'devenv-rootfs-'));
  try {
    await must('tar', ['-x', '-C', dir], tarArchive(plan.entries));
    for (const path of plan.hostPaths) await must('cp', ['-a', '--parents', path, dir]);
    const libraries = await sharedLibraries(plan.linkedPrograms);
    for (const library of libraries) await must('cp', ['-L', '--parents', library, dir]);
    if (existsSync('/etc/ld.so.cache')) await must('cp', ['-L', '--parents', '/etc/ld.so.cache', dir]);
    const archive = join(dir, '..', `${dir.split('/').pop()}.tar`);
    await must('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', archive, '.']);
    try {
      return await readFile(archive);
    } finally {
      await rm(archive, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every library the programs load, the dynamic loader included. */
async function sharedLibraries(programs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const program of programs) {
    const result = await runCommand('ldd', [program]);
    if (result.code !== 0) continue; // not dynamically linked
    for (const line of result.stdout.split('\n')) {
      const path = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1];
      if (path) found.add(path);
    }
  }
  return [...found].sort();
}

async function must(command: string, args: string[], input?: Buffer): Promise<void> {
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input ? 'pipe' : 'ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
    if (input) child.stdin?.end(input);
  });
  if (code !== 0) throw new Error(`devenv: ${command} ${args.join(' ')} exited with ${code}`);
}
