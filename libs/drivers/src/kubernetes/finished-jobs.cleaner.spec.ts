import type { V1ConfigMap, V1Job, V1Secret } from '@kubernetes/client-node';
import { KubernetesApiError, Page } from '#libs/kube';
import { CleanerApi, FinishedJobsCleaner, finishedAt } from './finished-jobs.cleaner.js';

const CUT_OFF = new Date('2026-01-02T00:00:00Z');
const OLD = new Date('2026-01-01T00:00:00Z');
const YOUNG = new Date('2026-01-03T00:00:00Z');

const job = (name: string, state: 'running' | 'succeeded' | 'failed', ended = OLD): V1Job => ({
  metadata: { name },
  status:
    state === 'running'
      ? { active: 1 }
      : state === 'succeeded'
        ? { completionTime: ended, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: ended }] }
        : { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: ended }] },
});

/**
 * Jobs in name order behind continue tokens that expire, as after a
 * compaction, once `tokenLifetime` deletions happened since they were issued.
 */
class FakeJobsApi implements CleanerApi {
  deletes = 0;
  lists = 0;
  tokenLifetime = Infinity;
  failDeletesAfter = Infinity;

  constructor(public jobs: V1Job[]) {
    this.jobs = [...jobs].sort((a, b) => (String(a.metadata?.name) < String(b.metadata?.name) ? -1 : 1));
  }

  async listJobs(_selector: string, limit = 500, token?: string): Promise<Page<V1Job>> {
    this.lists++;
    let after = '';
    if (token) {
      const [name, issuedAt] = token.split('|');
      if (this.deletes - Number(issuedAt) >= this.tokenLifetime) throw new KubernetesApiError(410, 'Expired', 'continue token too old');
      after = name;
    }
    const items = this.jobs.filter((j) => String(j.metadata?.name) > after).slice(0, limit);
    const more = this.jobs.some((j) => String(j.metadata?.name) > String(items.at(-1)?.metadata?.name ?? after));
    return { items, continueToken: more ? `${items.at(-1)?.metadata?.name}|${this.deletes}` : undefined };
  }

  async deleteJob(name: string): Promise<boolean> {
    if (this.deletes >= this.failDeletesAfter) throw new KubernetesApiError(500, 'InternalError', 'etcdserver: request timed out');
    this.deletes++;
    const before = this.jobs.length;
    this.jobs = this.jobs.filter((j) => j.metadata?.name !== name);
    return this.jobs.length < before;
  }

  async listConfigMaps(): Promise<Page<V1ConfigMap>> {
    return { items: [] };
  }
  async deleteConfigMap(): Promise<boolean> {
    return false;
  }
  async listSecrets(): Promise<Page<V1Secret>> {
    return { items: [] };
  }
  async deleteSecret(): Promise<boolean> {
    return false;
  }
}

const many = (count: number, state: 'running' | 'succeeded' | 'failed', ended = OLD, prefix: string = state) =>
  Array.from({ length: count }, (_, i) => job(`${prefix}-${String(i).padStart(5, '0')}`, state, ended));

describe('finishedAt', () => {
  it('reads the completion time, else the Failed condition, and null while running', () => {
    expect(finishedAt(job('s', 'succeeded'))).toEqual(OLD);
    expect(finishedAt(job('f', 'failed', YOUNG))).toEqual(YOUNG);
    expect(finishedAt(job('r', 'running'))).toBeNull();
    expect(finishedAt({ status: { conditions: [{ type: 'Complete', status: 'False' }] } })).toBeNull();
  });
});

describe('FinishedJobsCleaner', () => {
  const clean = (api: FakeJobsApi) => new FinishedJobsCleaner(api).clean({ olderThan: CUT_OFF });

  it('deletes, across pages, only the finished Jobs that ended before the cut-off', async () => {
    const keep = [...many(150, 'running'), ...many(150, 'succeeded', YOUNG, 'young')];
    const api = new FakeJobsApi([...keep, ...many(200, 'succeeded'), ...many(150, 'failed')]);
    expect(await clean(api)).toEqual({ deleted: 350, orphansDeleted: 0 });
    expect(api.jobs.map((j) => j.metadata?.name).sort()).toEqual(keep.map((j) => j.metadata?.name).sort());
  });

  it('stops at the first API failure and counts only what went', async () => {
    const api = new FakeJobsApi(many(30, 'succeeded'));
    api.failDeletesAfter = 7;
    const report = await clean(api);
    expect(report).toEqual({ deleted: 7, orphansDeleted: 0, error: 'etcdserver: request timed out' });
    expect(api.jobs).toHaveLength(23);
  });

  it('lists again from the top when a continue token expires during a long run', async () => {
    const api = new FakeJobsApi(many(1_000, 'failed'));
    api.tokenLifetime = 150;
    expect(await clean(api)).toEqual({ deleted: 1_000, orphansDeleted: 0 });
    expect(api.jobs).toHaveLength(0);
    expect(api.lists).toBeGreaterThan(5);
  });

  it('gives up, for the next run, when a token expires and the pass before deleted nothing', async () => {
    const api = new FakeJobsApi(many(450, 'running'));
    api.tokenLifetime = 0;
    const report = await clean(api);
    expect(report).toEqual({ deleted: 0, orphansDeleted: 0, error: 'continue token too old' });
    expect(api.lists).toBe(2);
  });
});
