/** One line of the final table: a figure, and the target it is held to when there is one. */
export interface BenchRow {
  benchmark: string;
  metric: string;
  value: string;
  target: string;
  verdict: 'PASS' | 'MISS' | 'FAIL' | '';
}

/** A figure reported without a target. */
export function figure(benchmark: string, metric: string, value: string): BenchRow {
  return { benchmark, metric, value, target: '', verdict: '' };
}

/** A figure held to a target: `met` decides PASS or MISS. */
export function held(benchmark: string, metric: string, value: string, target: string, met: boolean): BenchRow {
  return { benchmark, metric, value, target, verdict: met ? 'PASS' : 'MISS' };
}

/** A benchmark whose own correctness check failed: its figures cannot be trusted. */
export function failed(benchmark: string, reason: string): BenchRow {
  return { benchmark, metric: 'correctness', value: reason, target: 'checks hold', verdict: 'FAIL' };
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const perSecond = (value: number) => `${value.toFixed(0)}/s`;
export const mebibytes = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
/** CPU used over a run, in cores. */
export const cores = (n: number) => `${(n * 100).toFixed(0)}% of a core`;

export function printTable(rows: readonly BenchRow[]): void {
  const columns = ['benchmark', 'metric', 'value', 'target', 'verdict'] as const;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(columns.map((c) => row[c])));
}
