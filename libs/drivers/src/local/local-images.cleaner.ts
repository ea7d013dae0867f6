import { BUILD_IDENTITY_LABEL } from '#libs/runtimes';
import { DriverCleanup, DriverCleanupReport } from '../build-driver.js';

export type DockerRunner = (args: string[], onLine: (line: string) => void) => Promise<number | null>;

/** `2026-11-24 20:37:13 +0000 UTC` as docker prints it. */
const parseCreated = (text: string): Date | null => {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})/.exec(text.trim());
  return match ? new Date(`${match[1]}T${match[2]}${match[3]}:${match[4]}`) : null;
};

/**
 * Removes the local images the deployer built (they carry its identity
 * label) that are older than the cut-off, and, for a full cleanup, the
 * build cache of that age.
 */
export async function cleanLocalImages(docker: DockerRunner, options: DriverCleanup): Promise<DriverCleanupReport> {
  const listed: string[] = [];
  const code = await docker(
    ['image', 'ls', '--filter', `label=${BUILD_IDENTITY_LABEL}`, '--format', '{{.Repository}}:{{.Tag}}\t{{.CreatedAt}}'],
    (line) => listed.push(line),
  );
  if (code !== 0) return { deleted: 0, error: `listing images failed: ${listed.slice(-1)[0] ?? code}` };
  const stale = listed
    .map((line) => line.split('\t'))
    .filter(([reference, created]) => {
      const when = parseCreated(created ?? '');
      const repository = reference.slice(0, reference.lastIndexOf(':'));
      const owned = !options.login || repository.split('/').pop() === options.login;
      return owned && !reference.includes('<none>') && when !== null && when < options.olderThan;
    })
    .map(([reference]) => reference);
  let deleted = 0;
  for (const reference of stale) if ((await docker(['image', 'rm', reference], () => undefined)) === 0) deleted++;
  if (!options.login) {
    const hours = Math.max(1, Math.floor((Date.now() - options.olderThan.getTime()) / 3_600_000));
    await docker(['builder', 'prune', '--force', '--filter', `until=${hours}h`], () => undefined);
  }
  return { deleted };
}
