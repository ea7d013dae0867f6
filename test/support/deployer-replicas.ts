import { ChildProcess } from 'node:child_process';
import { ApiProcess, spawnApi } from './api-process.js';
import { exited, spawnWorker } from './worker-process.js';

/**
 * Two API processes and two worker processes on one Redis (the same prefix),
 * as two replicas of each Deployment would run. Any of them can be killed
 * with SIGKILL and started again; an API comes back on its own port, as a
 * Service would send clients to it again.
 */
export class DeployerReplicas {
  readonly apis: ApiProcess[] = [];
  readonly workers: (ChildProcess & { output: string[] })[] = [];
  private readonly everything: ChildProcess[] = [];

  private constructor(private readonly env: NodeJS.ProcessEnv) {}

  static async start(env: NodeJS.ProcessEnv, apis = 2, workers = 2): Promise<DeployerReplicas> {
    const replicas = new DeployerReplicas(env);
    for (let i = 0; i < apis; i++) replicas.apis.push(replicas.track(await spawnApi(env)));
    for (let i = 0; i < workers; i++) replicas.workers.push(replicas.track(spawnWorker(env)));
    return replicas;
  }

  /** The address of API `i`, whether it is up or not. */
  url(i: number): string {
    return this.apis[i % this.apis.length].url;
  }

  async killApi(i: number): Promise<void> {
    this.apis[i].kill('SIGKILL');
    await exited(this.apis[i]);
  }

  async restartApi(i: number): Promise<void> {
    this.apis[i] = this.track(await spawnApi(this.env, this.apis[i].port));
  }

  async killWorker(i: number): Promise<void> {
    this.workers[i].kill('SIGKILL');
    await exited(this.workers[i]);
  }

  restartWorker(i: number): void {
    this.workers[i] = this.track(spawnWorker(this.env));
  }

  /** Everything every process wrote, to explain a failure or look for secrets. */
  output(): string {
    return [...this.apis, ...this.workers].map((p) => p.output.join('')).join('\n');
  }

  async stop(): Promise<void> {
    for (const child of this.everything) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }

  private track<T extends ChildProcess>(child: T): T {
    this.everything.push(child);
    return child;
  }
}
