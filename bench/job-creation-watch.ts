import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string } };
}

/**
 * Watches the Jobs of a namespace and notes, by performance.now(), when each
 * one was first seen: the moment the API server stored it, as any client
 * watching would learn it. Re-opens the watch from the last version seen.
 */
export class JobCreationWatch {
  readonly created = new Map<string, number>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private running?: Promise<void>;

  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    private readonly namespace: string,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** Resolves once every named Job has been seen; throws after the timeout. */
  async waitFor(names: Iterable<string>, timeoutMs: number): Promise<void> {
    const wanted = [...names];
    let missing = wanted;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Only the names still missing are looked up again.
      missing = missing.filter((name) => !this.created.has(name));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${missing.length} of ${wanted.length} Jobs not created after ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.watchOnce();
      } catch {
        if (this.abort.signal.aborted) return;
        await sleep(10);
      }
    }
  }

  private async watchOnce(): Promise<void> {
    const since = this.resourceVersion ? `&resourceVersion=${this.resourceVersion}` : '';
    const response = await fetch(`${this.serverUrl}/apis/batch/v1/namespaces/${this.namespace}/jobs?watch=true${since}`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`watch answered ${response.status}`);
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) this.note(JSON.parse(line) as WatchEvent);
      }
    }
  }

  private note(event: WatchEvent): void {
    const now = performance.now();
    const { name, resourceVersion } = event.object.metadata ?? {};
    if (event.type === 'ERROR') this.resourceVersion = '';
    else if (resourceVersion) this.resourceVersion = resourceVersion;
    if (event.type === 'ADDED' && name && !this.created.has(name)) this.created.set(name, now);
  }
}
