import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-table.js';
import type { Benchmark } from './benchmark.js';

/**
 * A benchmark written as a script of its own (it prints its own table and
 * exits non-zero when its checks fail), run as a child process. Its output is
 * passed through; each `BENCH_ROW <json>` line it prints becomes a row.
 */
export function scriptBenchmark(name: string, compiledScript: string): Benchmark {
  return {
    name,
    async run(env) {
      const script = fileURLToPath(new URL(compiledScript, import.meta.url));
      if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
      const child = spawn(process.execPath, ['--expose-gc', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        process.stderr.write(chunk);
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      if (code !== 0) throw new Error(`${compiledScript} exited with ${code}`);
      const rows = [...output.matchAll(/^BENCH_ROW (\{.*\})$/gm)].map((m) => JSON.parse(m[1]) as BenchRow);
      if (rows.length === 0) throw new Error(`${compiledScript} printed no BENCH_ROW line`);
      return rows;
    },
  };
}
