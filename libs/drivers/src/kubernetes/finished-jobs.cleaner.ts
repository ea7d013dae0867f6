import type { V1Job, V1ObjectMeta } from '@kubernetes/client-node';
import { KubernetesApiError, KubernetesRepository, Page } from '#libs/kube';
import { finishedCondition } from './build-progress.js';
import { BUILD_ID_LABEL, managedSelector, userSelector } from './kubernetes-labels.js';

export interface CleanupReport {
  /** Jobs deleted (their Pods, ConfigMaps and Secrets go with them). */
  deleted: number;
  /** ConfigMaps and Secrets left behind by Jobs that no longer exist. */
  orphansDeleted: number;
  /** Set when the API failed midway: what is left waits for the next run. */
  error?: string;
}

/** The part of the Kubernetes API the cleaner uses. */
export type CleanerApi = Pick<
  KubernetesRepository,
  'listJobs' | 'deleteJob' | 'listConfigMaps' | 'deleteConfigMap' | 'listSecrets' | 'deleteSecret'
>;

const PAGE = 200;
/** Deletes in flight at once: enough to hide the API's latency, few enough not to crowd it. */
const PARALLEL_DELETES = 16;

/** When a finished Job finished, or null while it runs. */
export function finishedAt(job: V1Job): Date | null {
  const condition = finishedCondition(job);
  if (!condition) return null;
  const when = job.status?.completionTime ?? condition.lastTransitionTime;
  return when ? new Date(when) : new Date(0);
}

const isExpired = (error: unknown) => error instanceof KubernetesApiError && error.code === 410;

/**
 * Deletes finished (succeeded or failed) build Jobs older than a cut-off,
 * selected by our labels (one user's, or all), page by page so memory stays
 * flat, with a bounded number of deletes in flight (the repository retries a
 * 429 after its Retry-After); NotFound counts as done. The first API failure
 * stops the run once the deletes in flight have answered, and the report
 * counts what was really deleted: the rest waits for the next run.
 */
export class FinishedJobsCleaner {
  constructor(
    private readonly kube: CleanerApi,
    private readonly parallelDeletes = PARALLEL_DELETES,
  ) {}

  async clean(options: { olderThan: Date; login?: string }): Promise<CleanupReport> {
    const selector = options.login ? userSelector(options.login) : managedSelector();
    const report: CleanupReport = { deleted: 0, orphansDeleted: 0 };
    try {
      await this.visit(
        (token) => this.kube.listJobs(selector, PAGE, token),
        async (job) => {
          const ended = finishedAt(job);
          const gone = !!ended && ended < options.olderThan && (await this.kube.deleteJob(String(job.metadata?.name), 'Background'));
          if (gone) report.deleted++;
          return gone;
        },
      );
      await this.deleteOrphans(selector, options.olderThan, () => report.orphansDeleted++);
    } catch (error) {
      report.error = (error as Error).message;
    }
    return report;
  }

  /** Objects we labelled whose Job is gone (e.g. created after a crash, before their owner reference). */
  private async deleteOrphans(selector: string, olderThan: Date, counted: () => void): Promise<void> {
    const orphan = (meta: V1ObjectMeta | undefined) =>
      !!meta?.name && (meta.ownerReferences?.length ?? 0) === 0 && !!meta.labels?.[BUILD_ID_LABEL] && new Date(meta.creationTimestamp ?? 0) < olderThan;
    const deleteIf = async (stale: boolean, remove: () => Promise<boolean>) => {
      const gone = stale && (await remove());
      if (gone) counted();
      return gone;
    };
    await this.visit(
      (token) => this.kube.listConfigMaps(selector, PAGE, token),
      (object) => deleteIf(orphan(object.metadata), () => this.kube.deleteConfigMap(String(object.metadata?.name))),
    );
    await this.visit(
      (token) => this.kube.listSecrets(selector, PAGE, token),
      (object) => deleteIf(orphan(object.metadata), () => this.kube.deleteSecret(String(object.metadata?.name))),
    );
  }

  /**
   * Visits every item of a paginated list; `handle` answers whether it
   * deleted the item. A continue token expires (410) once the API compacts
   * past its revision, which a long run of deletions can outlast: the list
   * then starts again from the top, as the API advises, provided the pass
   * before deleted something, so that the walk always ends.
   */
  private async visit<T>(list: (token?: string) => Promise<Page<T>>, handle: (item: T) => Promise<boolean>): Promise<void> {
    let token: string | undefined;
    let deletedThisPass = 0;
    for (;;) {
      let page: Page<T>;
      try {
        page = await list(token);
      } catch (error) {
        if (token === undefined || !isExpired(error) || deletedThisPass === 0) throw error;
        token = undefined;
        deletedThisPass = 0;
        continue;
      }
      deletedThisPass += await this.handleAll(page.items, handle);
      if (!page.continueToken) return;
      token = page.continueToken;
    }
  }

  /**
   * Handles every item with at most `parallelDeletes` in flight and answers
   * how many were deleted. After a failure no new item starts; the first
   * failure is thrown once those in flight have answered.
   */
  private async handleAll<T>(items: readonly T[], handle: (item: T) => Promise<boolean>): Promise<number> {
    let next = 0;
    let deleted = 0;
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      while (!failure && next < items.length) {
        const item = items[next++];
        try {
          if (await handle(item)) deleted++;
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallelDeletes, items.length) }, lane));
    if (failure) throw failure.error;
    return deleted;
  }
}
