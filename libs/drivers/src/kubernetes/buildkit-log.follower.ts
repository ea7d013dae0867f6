import { Logger } from '@nestjs/common';
import { KubernetesRepository } from '#libs/kube';
import { BuildLogSink } from '../build-driver.js';
import { LogBatcher } from '../log-batcher.js';
import { BUILDKIT_CONTAINER } from './build-job.manifests.js';

const DRAIN_MS = 5_000;
/** The reason the stream is closed with: made once, as abort() without one makes a DOMException, with its stack, every build. */
const BUILD_ENDED = Object.freeze(new Error('the build ended'));

/**
 * The BuildKit container's log, streamed into the build's log. A stream that
 * drops while BuildKit runs is opened again; the log replays from its start,
 * so the lines already seen are skipped.
 */
export class BuildKitLogFollower {
  private readonly logger = new Logger(BuildKitLogFollower.name);
  private readonly output: LogBatcher;
  private readonly abort = new AbortController();
  private stream?: Promise<void>;
  private ended = false;
  private seen = 0;

  constructor(
    private readonly kube: KubernetesRepository,
    sink: BuildLogSink,
  ) {
    this.output = new LogBatcher(sink);
  }

  get recent(): readonly string[] {
    return this.output.recent;
  }

  /** Follows the pod's BuildKit log unless a stream is already open; reopens one that ended while `running`. */
  follow(pod: string, running: boolean): void {
    if (this.ended && running) this.stream = undefined;
    if (this.stream) return;
    this.ended = false;
    let line = 0;
    this.stream = this.kube
      .followLog(
        pod,
        BUILDKIT_CONTAINER,
        (text) => {
          if (++line <= this.seen) return;
          this.seen = line;
          this.output.push(text);
        },
        this.abort.signal,
      )
      .catch((error: Error) => this.logger.warn(`Log of ${pod} stopped: ${error.message}`))
      .finally(() => (this.ended = true));
  }

  /** Lets the stream deliver its last lines, bounded so a stuck stream cannot hold the build. */
  async drain(): Promise<void> {
    let bound: NodeJS.Timeout | undefined;
    if (this.stream) await Promise.race([this.stream, new Promise((resolve) => (bound = setTimeout(resolve, DRAIN_MS)))]);
    // A timer left behind would hold the process for DRAIN_MS after the last build.
    clearTimeout(bound);
    this.abort.abort(BUILD_ENDED);
  }

  async close(): Promise<void> {
    this.abort.abort(BUILD_ENDED);
    await this.output.close();
  }
}
