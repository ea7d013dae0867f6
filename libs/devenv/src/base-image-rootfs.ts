import { readFileSync } from 'node:fs';
import { runCommand } from './command-runner.js';
import { EXTEND_SCRIPT } from './extend-script.js';
import { tarArchive, type TarEntry } from './tar-archive.js';

/** busybox-static's binary: statically linked, so it runs in an image with no libc. */
const BUSYBOX = '/bin/busybox';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * The root filesystem of the base image as a tar archive: busybox with a link
 * per applet, root and nobody (65534), a sticky /tmp and /bin/extend.
 */
export async function baseImageRootfs(): Promise<Buffer> {
  return tarArchive([
    ...(await busyboxEntries()),
    { type: 'file', path: 'bin/extend', mode: 0o755, content: Buffer.from(EXTEND_SCRIPT) },
  ]);
}

/** busybox with a link per applet, root and nobody (65534) and a sticky /tmp: the floor of every local image. */
export async function busyboxEntries(): Promise<TarEntry[]> {
  const applets = await busyboxApplets();
  return [
    ...['bin', 'etc', 'opt', 'usr', 'usr/bin', 'usr/sbin', 'var'].map(
      (path): TarEntry => ({ type: 'directory', path, mode: 0o755 }),
    ),
    { type: 'directory', path: 'root', mode: 0o700 },
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'bin/busybox', mode: 0o755, content: readFileSync(BUSYBOX) },
    { type: 'file', path: 'etc/passwd', mode: 0o644, content: Buffer.from(PASSWD) },
    { type: 'file', path: 'etc/group', mode: 0o644, content: Buffer.from(GROUP) },
    ...applets.map((applet): TarEntry => ({ type: 'symlink', path: `bin/${applet}`, target: 'busybox' })),
    { type: 'symlink', path: 'usr/bin/env', target: '/bin/busybox' },
    { type: 'symlink', path: 'usr/sbin/nologin', target: '/bin/false' },
  ];
}

async function busyboxApplets(): Promise<string[]> {
  const result = await runCommand(BUSYBOX, ['--list']).catch((error: Error) => {
    throw new Error(`devenv: ${error.message}; run scripts/install-system-packages.sh`);
  });
  if (result.code !== 0) throw new Error(`devenv: ${BUSYBOX} --list failed: ${result.stderr.trim()}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((applet) => /^[a-z0-9._[-]+$/i.test(applet) && applet !== 'busybox' && applet !== 'extend')
    .sort();
}
