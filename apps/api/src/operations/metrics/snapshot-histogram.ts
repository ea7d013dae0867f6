import type { Metric, Registry } from 'prom-client';
import type { HistogramSeries } from '#libs/metrics';

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram whose buckets are read at scrape time from elsewhere (Redis).
 * prom-client's Histogram only counts observations made in this process; the
 * registry needs no more than this shape (name, help, type, get, reset) to
 * write the text format, so the series are handed to it as they are.
 */
export class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Promise<HistogramSeries[]>,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  async get() {
    const values = (await this.read()).flatMap((series): Sample[] => [
      ...series.buckets.map((bucket) => ({
        metricName: `${this.name}_bucket`,
        labels: { ...series.labels, le: bucket.le === Infinity ? '+Inf' : bucket.le },
        value: bucket.count,
      })),
      { metricName: `${this.name}_sum`, labels: series.labels, value: series.sum },
      { metricName: `${this.name}_count`, labels: series.labels, value: series.count },
    ]);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing is kept here; the source is reset, if ever, where it lives. */
  reset(): void {}
}
