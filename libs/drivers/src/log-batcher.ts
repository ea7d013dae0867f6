import { BuildLogSink } from './build-driver.js';

/** Groups output lines so a chatty build costs few Redis round trips. */
export class LogBatcher {
  private pending: string[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  readonly recent: string[] = [];

  constructor(
    private readonly sink: BuildLogSink,
    private readonly keepRecent = 50,
    intervalMs = 200,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
  }

  push(line: string): void {
    this.pending.push(line);
    this.recent.push(line);
    if (this.recent.length > this.keepRecent) this.recent.shift();
    if (this.pending.length >= 100) void this.flush();
  }

  flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    if (lines.length > 0) this.flushing = this.flushing.then(() => this.sink.write(lines));
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
