import { execFileSync } from 'node:child_process';

let clockTicks: number | undefined;
const ticksPerSecond = () => (clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100);

/** utime + stime (own, or of waited-for children) of a process, from /proc/<pid>/stat, in seconds. */
export function cpuSeconds(stat: string, of: 'self' | 'children' = 'self'): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime/stime are fields 14/15, cutime/cstime 16/17.
  const [user, system] = of === 'self' ? [fields[11], fields[12]] : [fields[13], fields[14]];
  return (Number(user) + Number(system)) / ticksPerSecond();
}
