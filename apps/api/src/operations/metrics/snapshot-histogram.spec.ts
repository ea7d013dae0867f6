import { Registry } from 'prom-client';
import { RedisHistogram } from '#libs/metrics';
import { SnapshotHistogram } from './snapshot-histogram.js';

describe('SnapshotHistogram', () => {
  it('writes series read at scrape time in the Prometheus text format', async () => {
    const layout = new RedisHistogram(['kind', 'state'], [1, 10]);
    const hash: Record<string, string> = {};
    for (const value of [0.5, 4, 40]) {
      const { bucketField, sumField } = layout.increment({ kind: 'go', state: 'failed' }, value);
      hash[bucketField] = String(Number(hash[bucketField] ?? 0) + 1);
      hash[sumField] = String(Number(hash[sumField] ?? 0) + value);
    }
    let reads = 0;
    const registry = new Registry();
    new SnapshotHistogram('x_seconds', 'Help text', async () => (reads++, layout.read(hash)), registry);

    const text = await registry.metrics();
    expect(reads).toBe(1);
    expect(text).toBe(
      [
        '# HELP x_seconds Help text',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{kind="go",state="failed",le="1"} 1',
        'x_seconds_bucket{kind="go",state="failed",le="10"} 2',
        'x_seconds_bucket{kind="go",state="failed",le="+Inf"} 3',
        'x_seconds_sum{kind="go",state="failed"} 44.5',
        'x_seconds_count{kind="go",state="failed"} 3',
        '',
      ].join('\n'),
    );
  });

  it('writes only its header when there is nothing to show', async () => {
    const registry = new Registry();
    new SnapshotHistogram('y_seconds', 'Empty', async () => [], registry);
    expect(await registry.metrics()).toBe('# HELP y_seconds Empty\n# TYPE y_seconds histogram\n');
  });
});
