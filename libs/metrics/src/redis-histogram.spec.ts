import { RedisHistogram } from './redis-histogram.js';

/** Applies increments the way HINCRBY / HINCRBYFLOAT would. */
const store = (histogram: RedisHistogram, observations: [Record<string, string>, number][]) => {
  const hash: Record<string, string> = {};
  for (const [labels, value] of observations) {
    const { bucketField, sumField } = histogram.increment(labels, value);
    hash[bucketField] = String(Number(hash[bucketField] ?? 0) + 1);
    hash[sumField] = String(Number(hash[sumField] ?? 0) + value);
  }
  return hash;
};

describe('RedisHistogram', () => {
  const histogram = new RedisHistogram(['kind', 'state'], [1, 5, 10]);
  const ok = { kind: 'python', state: 'succeeded' };
  const ko = { kind: 'python', state: 'failed' };

  it('puts a value in the first bucket whose bound is not below it', () => {
    const le = (value: number) => JSON.parse(histogram.increment(ok, value).bucketField).at(-1);
    expect(le(0)).toBe('1');
    expect(le(1)).toBe('1');
    expect(le(1.0001)).toBe('5');
    expect(le(10)).toBe('10');
    expect(le(10.5)).toBe('+Inf');
  });

  it('reads cumulative buckets, sum and count per label set', () => {
    const hash = store(histogram, [
      [ok, 0.5],
      [ok, 3],
      [ok, 4],
      [ok, 42],
      [ko, 7],
    ]);
    const series = histogram.read(hash);
    expect(series).toHaveLength(2);
    const succeeded = series.find((s) => s.labels.state === 'succeeded')!;
    expect(succeeded.labels).toEqual(ok);
    expect(succeeded.buckets).toEqual([
      { le: 1, count: 1 },
      { le: 5, count: 3 },
      { le: 10, count: 3 },
      { le: Infinity, count: 4 },
    ]);
    expect(succeeded.count).toBe(4);
    expect(succeeded.sum).toBeCloseTo(49.5);
    const failed = series.find((s) => s.labels.state === 'failed')!;
    expect(failed.buckets.map((b) => b.count)).toEqual([0, 0, 1, 1]);
    expect(failed.sum).toBe(7);
  });

  it('keeps label values with separators and quotes apart', () => {
    const odd = { kind: 'a","b', state: 'x|y' };
    const [series] = histogram.read(store(histogram, [[odd, 2]]));
    expect(series.labels).toEqual(odd);
    expect(series.count).toBe(1);
  });

  it('ignores fields it did not write', () => {
    const hash = { ...store(histogram, [[ok, 2]]), junk: '5', '["python"]': '1', '["python","succeeded","7"]': '1' };
    const [series] = histogram.read(hash);
    expect(series.count).toBe(1);
    expect(series.buckets.at(-1)).toEqual({ le: Infinity, count: 1 });
  });

  it('reads an empty hash as no series', () => {
    expect(histogram.read({})).toEqual([]);
  });

  it('refuses bad bounds, negative values and missing labels', () => {
    expect(() => new RedisHistogram([], [5, 1])).toThrow(/increasing/);
    expect(() => new RedisHistogram([], [])).toThrow(/increasing/);
    expect(() => new RedisHistogram([], [1, Infinity])).toThrow(/finite/);
    expect(() => histogram.increment(ok, -1)).toThrow(/valid observation/);
    expect(() => histogram.increment(ok, Number.NaN)).toThrow(/valid observation/);
    expect(() => histogram.increment({ kind: 'go' }, 1)).toThrow(/Missing label state/);
  });
});
