import { fileURLToPath } from 'node:url';
import type { BurstOptions, BurstResult } from './burst.load.js';
import { runToExit } from './child-output.js';
import type { FixedRateOptions, FixedRateResult } from './fixed-rate.load.js';

/** Runs a load generator (`<name>.load.ts`) as a process of its own and returns the result it printed after `tag`. */
async function runGenerator<T>(name: string, tag: string, options: object): Promise<T> {
  const script = fileURLToPath(new URL(`./${name}.load.js`, import.meta.url));
  const { code, output } = await runToExit(process.execPath, [script, JSON.stringify(options)]);
  const line = new RegExp(`${tag} (\\{.*\\})`).exec(output);
  if (code !== 0 || !line) throw new Error(`the ${name} generator exited with ${code}:\n${output.slice(-2000)}`);
  return JSON.parse(line[1]) as T;
}

/** The open-loop generator of fixed-rate.load.ts. */
export const runFixedRate = (options: FixedRateOptions) => runGenerator<FixedRateResult>('fixed-rate', 'FIXED_RATE_RESULT', options);

/** The burst of identical requests of burst.load.ts. */
export const runBurst = (options: BurstOptions) => runGenerator<BurstResult>('burst', 'BURST_RESULT', options);
