import { readFileSync, readdirSync } from 'node:fs';

/** Processes on this machine, each with its argument vector, read from /proc. */
export function processes(): { pid: number; argv: string[] }[] {
  const found: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.length > 0) found.push({ pid: Number(entry), argv });
    } catch {
      // gone between the listing and the read
    }
  }
  return found;
}
