import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApiServerChild } from './kube-api.server-child.js';

/**
 * Between two questions to the server, found or not: the times are the
 * server's own, so a slower pace costs no accuracy, and asking again at once
 * whenever a question found a Job kept the server and this process busy on
 * the cores being measured all through a backlog.
 */
const POLL_MS = 10;

/**
 * When each Job was stored by the Kubernetes API test server, by this
 * process's performance.now(): the server's process notes it as it stores the
 * Job (in epoch milliseconds, converted here), which a watch would report to
 * any client a moment later. No watch is open for it: a watch of every Job
 * would cost the server a write per event and this process a parse, on the
 * same cores as the processes being measured.
 */
export class JobCreationTimes {
  readonly created = new Map<string, number>();
  private polling?: Promise<void>;

  constructor(private readonly server: KubeApiServerChild) {}

  /** Resolves once every named Job has been stored; throws after the timeout. */
  async waitFor(names: Iterable<string>, timeoutMs: number): Promise<void> {
    const wanted = [...names];
    let missing = wanted;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Only the names still missing are looked up again.
      missing = missing.filter((name) => !this.created.has(name));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${missing.length} of ${wanted.length} Jobs not created after ${timeoutMs} ms`);
      await Promise.all([this.poll(), sleep(POLL_MS)]);
    }
  }

  /** Asks the server for the Jobs stored since the last answer; callers at the same time share one question. */
  poll(): Promise<void> {
    this.polling ??= this.server
      .created()
      .then((stored) => {
        for (const [name, epochMs] of Object.entries(stored)) if (!this.created.has(name)) this.created.set(name, epochMs - performance.timeOrigin);
      })
      .finally(() => (this.polling = undefined));
    return this.polling;
  }
}
