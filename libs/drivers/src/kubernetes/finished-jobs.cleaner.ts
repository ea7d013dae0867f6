import type { V1Job } from '@kubernetes/client-node';
import { KubernetesRepository } from '#libs/kube';
import { BUILD_ID_LABEL, managedSelector, userSelector } from './kubernetes-labels.js';

export interface CleanupReport {
  /** Jobs deleted (their Pods, ConfigMaps and Secrets go with them). */
  deleted: number;
  /** ConfigMaps and Secrets left behind by Jobs that no longer exist. */
  orphansDeleted: number;
  /** Set when the API failed midway: what is left waits for the next run. */
  error?: string;
}

const PAGE = 200;

/** When a finished Job finished, or null while it runs. */
export function finishedAt(job: V1Job): Date | null {
  const condition = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!condition) return null;
  const when = job.status?.completionTime ?? condition.lastTransitionTime;
  return when ? new Date(when) : new Date(0);
}

/**
 * Deletes finished (succeeded or failed) build Jobs older than a cut-off,
 * selected by our labels (one user's, or all), page by page so memory stays
 * flat; NotFound counts as done.
 */
export class FinishedJobsCleaner {
  constructor(private readonly kube: KubernetesRepository) {}

  async clean(options: { olderThan: Date; login?: string }): Promise<CleanupReport> {
    const selector = options.login ? userSelector(options.login) : managedSelector();
    const report: CleanupReport = { deleted: 0, orphansDeleted: 0 };
    try {
      let token: string | undefined;
      do {
        const page = await this.kube.listJobs(selector, PAGE, token);
        for (const job of page.items) {
          const ended = finishedAt(job);
          if (ended && ended < options.olderThan && (await this.kube.deleteJob(String(job.metadata?.name), 'Background'))) {
            report.deleted++;
          }
        }
        token = page.continueToken;
      } while (token);
      report.orphansDeleted = await this.deleteOrphans(selector, options.olderThan);
    } catch (error) {
      report.error = (error as Error).message;
    }
    return report;
  }

  /** Objects we labelled whose Job is gone (e.g. created after a crash, before their owner reference). */
  private async deleteOrphans(selector: string, olderThan: Date): Promise<number> {
    let deleted = 0;
    const stale = async (labels: Record<string, string> | undefined, created: Date | undefined) =>
      !!labels?.[BUILD_ID_LABEL] && (created ?? new Date(0)) < olderThan;
    for (const kind of ['configmaps', 'secrets'] as const) {
      let token: string | undefined;
      do {
        const page =
          kind === 'configmaps' ? await this.kube.listConfigMaps(selector, PAGE, token) : await this.kube.listSecrets(selector, PAGE, token);
        for (const object of page.items) {
          const meta = object.metadata;
          if (!meta?.name || (meta.ownerReferences?.length ?? 0) > 0) continue;
          if (!(await stale(meta.labels, meta.creationTimestamp))) continue;
          const gone = kind === 'configmaps' ? await this.kube.deleteConfigMap(meta.name) : await this.kube.deleteSecret(meta.name);
          if (gone) deleted++;
        }
        token = page.continueToken;
      } while (token);
    }
    return deleted;
  }
}
