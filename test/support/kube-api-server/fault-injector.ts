import { seededRandom } from './seeded-random.js';

export interface FaultOptions {
  latencyMs?: number;
  /** Fraction of matching requests answered 500 InternalError. */
  errorRate?: number;
  /** Fraction of matching requests answered 429 TooManyRequests with `Retry-After: 1`. */
  tooManyRequestsRate?: number;
  /** Fraction of matching requests whose socket is destroyed without an answer. */
  dropConnectionRate?: number;
  /** Watches opened while set end cleanly after this long. */
  dropWatchesAfterMs?: number;
  /** Matching requests answered normally before the faults begin (e.g. fail every DELETE after the 25th). */
  passFirst?: number;
  /** Which requests the faults apply to; all when absent. */
  match?: (method: string, path: string) => boolean;
  /** Reseeds the PRNG that decides which requests fail. */
  seed?: number;
}

export type FaultDecision = { kind: 'none' } | { kind: 'drop' } | { kind: 'error' } | { kind: 'tooManyRequests' };

/** Decides, per request and deterministically for a seed, whether and how it fails. */
export class FaultInjector {
  private options: FaultOptions = {};
  private random: () => number;
  private decided = 0;

  constructor(private readonly defaultSeed: number) {
    this.random = seededRandom(defaultSeed);
  }

  configure(options: FaultOptions): void {
    this.options = { ...options };
    this.decided = 0;
    this.random = seededRandom(options.seed ?? this.defaultSeed);
  }

  clear(): void {
    this.configure({});
  }

  applies(method: string, path: string): boolean {
    return this.options.match ? this.options.match(method, path) : true;
  }

  latencyMs(method: string, path: string): number {
    return this.applies(method, path) ? (this.options.latencyMs ?? 0) : 0;
  }

  watchLifetimeMs(method: string, path: string): number | undefined {
    return this.applies(method, path) ? this.options.dropWatchesAfterMs : undefined;
  }

  decide(method: string, path: string): FaultDecision {
    if (!this.applies(method, path)) return { kind: 'none' };
    if (++this.decided <= (this.options.passFirst ?? 0)) return { kind: 'none' };
    if (this.roll(this.options.dropConnectionRate)) return { kind: 'drop' };
    if (this.roll(this.options.errorRate)) return { kind: 'error' };
    if (this.roll(this.options.tooManyRequestsRate)) return { kind: 'tooManyRequests' };
    return { kind: 'none' };
  }

  private roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }
}
