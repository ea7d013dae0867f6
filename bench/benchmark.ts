import type { BenchRow } from './bench-table.js';

/**
 * One benchmark of the suite: it runs against the local servers whose
 * addresses `env` carries, checks its own results and throws when they are
 * wrong, and returns the figures it measured.
 */
export interface Benchmark {
  name: string;
  run(env: NodeJS.ProcessEnv): Promise<BenchRow[]>;
}
