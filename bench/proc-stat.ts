import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;
const ticksPerSecond = () => (clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100);

/** utime + stime (own, or of waited-for children) of a process, from /proc/<pid>/stat, in seconds. */
export function cpuSeconds(stat: string, of: 'self' | 'children' = 'self'): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime/stime are fields 14/15, cutime/cstime 16/17.
  const [user, system] = of === 'self' ? [fields[11], fields[12]] : [fields[13], fields[14]];
  return (Number(user) + Number(system)) / ticksPerSecond();
}

/**
 * CPU time of the whole machine from the first line of /proc/stat, in
 * seconds: busy (this machine's processes and kernel: all but idle, iowait
 * and steal), steal (what the hypervisor gave other guests while this one
 * wanted to run) and all.
 */
export function machineCpuSeconds(stat: string): { busy: number; steal: number; total: number } {
  const ticks = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are counted in user and nice already).
  const total = ticks.slice(0, 8).reduce((sum, n) => sum + n, 0);
  const idle = ticks[3] + ticks[4];
  const steal = ticks[7] ?? 0;
  return { busy: (total - idle - steal) / ticksPerSecond(), steal: steal / ticksPerSecond(), total: total / ticksPerSecond() };
}

/** The share of `before`..`after` the hypervisor took (steal), as a percentage with no decimals. */
export function stealShare(before: { steal: number; total: number }, after: { steal: number; total: number }): string {
  const total = after.total - before.total;
  return `${total > 0 ? ((100 * (after.steal - before.steal)) / total).toFixed(0) : '0'}%`;
}

/** The whole machine's CPU time so far (machineCpuSeconds of this machine's /proc/stat). */
export const machineCpuNow = () => machineCpuSeconds(readFileSync('/proc/stat', 'utf8'));
