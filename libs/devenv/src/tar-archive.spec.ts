import { runCommand } from './command-runner.js';
import { tarArchive } from './tar-archive.js';

describe('tarArchive', () => {
  it('writes entries that tar reads back with their types, modes and root ownership', async () => {
    const archive = tarArchive([
      { type: 'directory', path: 'tmp', mode: 0o1777 },
      { type: 'file', path: 'bin/extend', mode: 0o755, content: Buffer.from('#!/bin/sh\n') },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
    ]);

    const listed = await runCommand('tar', ['-tvf', '-', '--numeric-owner'], { input: archive });

    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^drwxrwxrwt 0\/0 +0 .* tmp\/$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x 0\/0 +10 .* bin\/extend$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx 0\/0 +0 .* bin\/sh -> busybox$/);
  });

  it('gives the same bytes for the same entries', () => {
    const entries = [{ type: 'file', path: 'a', mode: 0o644, content: Buffer.from('x') }] as const;
    expect(tarArchive(entries).equals(tarArchive(entries))).toBe(true);
  });
});
