import { fileURLToPath } from 'node:url';
import { runToExit } from './child-output.js';
import type { FixedRateOptions, FixedRateResult } from './fixed-rate.load.js';

const SCRIPT = fileURLToPath(new URL('./fixed-rate.load.js', import.meta.url));

/** Runs the fixed-rate generator (fixed-rate.load.ts) as a process of its own and returns what it measured. */
export async function runFixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  const { code, output } = await runToExit(process.execPath, [SCRIPT, JSON.stringify(options)]);
  const line = /FIXED_RATE_RESULT (\{.*\})/.exec(output);
  if (code !== 0 || !line) throw new Error(`the fixed-rate generator exited with ${code}:\n${output.slice(-2000)}`);
  return JSON.parse(line[1]) as FixedRateResult;
}
