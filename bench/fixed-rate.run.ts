import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FixedRateOptions, FixedRateResult } from './fixed-rate.load.js';

const SCRIPT = fileURLToPath(new URL('./fixed-rate.load.js', import.meta.url));

/** Runs the fixed-rate generator (fixed-rate.load.ts) as a process of its own and returns what it measured. */
export async function runFixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const line = /FIXED_RATE_RESULT (\{.*\})/.exec(output);
  if (code !== 0 || !line) throw new Error(`the fixed-rate generator exited with ${code}:\n${output.slice(-2000)}`);
  return JSON.parse(line[1]) as FixedRateResult;
}
