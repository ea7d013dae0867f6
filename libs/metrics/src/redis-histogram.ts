/**
 * A Prometheus histogram kept in one Redis hash, so that any process can add
 * observations with HINCRBY and any other can read the totals.
 *
 * Each observation increments one bucket field (the first bound that is not
 * below the value, or `+Inf`) and the sum field. Buckets are stored
 * non-cumulatively and made cumulative on reading, so an observation costs
 * two commands whatever the number of buckets. Field names are JSON arrays of
 * the label values followed by the bucket bound or `sum`, so label values may
 * hold any character.
 */

export const INFINITE_BOUND = '+Inf';
const SUM = 'sum';

export interface HistogramBucket {
  /** Upper bound; Infinity for the last bucket. */
  le: number;
  /** Observations at or below `le` (cumulative). */
  count: number;
}

export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

export interface HistogramIncrement {
  bucketField: string;
  sumField: string;
}

export class RedisHistogram {
  readonly bounds: readonly number[];

  constructor(
    readonly labelNames: readonly string[],
    bounds: readonly number[],
  ) {
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]))) {
      throw new Error('Histogram bounds must be finite and strictly increasing');
    }
    this.bounds = [...bounds];
  }

  /** The fields one observation of `value` increments. */
  increment(labels: Record<string, string>, value: number): HistogramIncrement {
    if (!Number.isFinite(value) || value < 0) throw new Error(`Not a valid observation: ${value}`);
    const values = this.labelValues(labels);
    const bound = this.bounds.find((b) => value <= b);
    return {
      bucketField: JSON.stringify([...values, bound === undefined ? INFINITE_BOUND : String(bound)]),
      sumField: JSON.stringify([...values, SUM]),
    };
  }

  /** Every label set found in the hash, with cumulative buckets ending at +Inf. */
  read(hash: Record<string, string>): HistogramSeries[] {
    const series = new Map<string, { labels: string[]; perBucket: number[]; sum: number }>();
    const slots = new Map(this.bounds.map((b, i) => [String(b), i]));
    slots.set(INFINITE_BOUND, this.bounds.length);

    for (const [field, raw] of Object.entries(hash)) {
      const parts = this.parseField(field);
      const amount = Number(raw);
      if (!parts || !Number.isFinite(amount)) continue;
      const labels = parts.slice(0, this.labelNames.length);
      const part = parts[this.labelNames.length];
      const key = JSON.stringify(labels);
      const entry = series.get(key) ?? { labels, perBucket: new Array<number>(this.bounds.length + 1).fill(0), sum: 0 };
      series.set(key, entry);
      if (part === SUM) entry.sum += amount;
      else if (slots.has(part)) entry.perBucket[slots.get(part)!] += amount;
    }

    return [...series.values()].map(({ labels, perBucket, sum }) => {
      let running = 0;
      const buckets = perBucket.map((n, i) => {
        running += n;
        return { le: i < this.bounds.length ? this.bounds[i] : Infinity, count: running };
      });
      return { labels: Object.fromEntries(this.labelNames.map((name, i) => [name, labels[i]])), buckets, sum, count: running };
    });
  }

  private labelValues(labels: Record<string, string>): string[] {
    return this.labelNames.map((name) => {
      const value = labels[name];
      if (value === undefined) throw new Error(`Missing label ${name}`);
      return value;
    });
  }

  /** Null for fields this layout did not write (foreign or of another label set). */
  private parseField(field: string): string[] | null {
    try {
      const parts: unknown = JSON.parse(field);
      const valid =
        Array.isArray(parts) && parts.length === this.labelNames.length + 1 && parts.every((p) => typeof p === 'string');
      return valid ? (parts as string[]) : null;
    } catch {
      return null;
    }
  }
}
