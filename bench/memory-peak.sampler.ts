/** The highest RSS and heap of this process, sampled every `intervalMs` while started. */
export class MemoryPeakSampler {
  peakRss = 0;
  peakHeapUsed = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs = 50) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, rss);
    this.peakHeapUsed = Math.max(this.peakHeapUsed, heapUsed);
  }
}
