import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { BuildIntake, BuildQueue, IntakeEntry } from '#libs/queues';
import { endConnection } from '#libs/redis';

const BATCH = 200;
const BLOCK_MS = 2_000;
/** An entry taken this long ago and still not done is another mover's to finish. */
const ABANDONED_AFTER_MS = 10_000;
const RECLAIM_EVERY_MS = 5_000;
const RETRY_AFTER_MS = 500;
/**
 * After a batch that did not fill, the next take waits this long, so that at
 * a steady rate a batch carries several builds instead of one (each batch
 * costs three round trips, whatever its size). A build that arrives after an
 * idle spell is taken at once: the wait follows a batch, never precedes one.
 */
const GATHER_MS = 2;

/**
 * Moves accepted builds from the build intake into the build queue, each
 * under its build's id (so a build moved twice is one job), in the order
 * they were accepted, at the fair-share rank their claim counted. Every
 * worker runs one; they share the intake as a consumer group. Builds still
 * in the intake when Redis fails over or a mover dies are moved by the next
 * pass of any mover, and the orphan reconciler stays the backstop.
 */
@Injectable()
export class BuildIntakeMover implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BuildIntakeMover.name);
  private readonly consumer = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private reader?: Redis;
  private loop?: Promise<void>;
  private stopping = false;
  private waiting = false;
  private reclaimCursor = '0-0';
  private lastWarning = 0;

  constructor(
    private readonly intake: BuildIntake,
    private readonly queue: BuildQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.reader = this.intake.reader(BLOCK_MS);
    this.reader.on('error', () => undefined);
    this.loop = this.run(this.reader);
  }

  /** Before the queues close: what was taken is finished, then the mover leaves the group. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // A wait for entries ends at once; a batch being moved is finished first.
    if (this.waiting && this.reader) endConnection(this.reader);
    await this.loop;
    if (this.reader) endConnection(this.reader);
    await this.intake.leave(this.consumer).catch(() => undefined);
  }

  private async run(reader: Redis): Promise<void> {
    let reclaimAt = 0;
    while (!this.stopping) {
      try {
        if (Date.now() >= reclaimAt) {
          reclaimAt = Date.now() + RECLAIM_EVERY_MS;
          const { next, entries } = await this.intake.reclaim(reader, this.consumer, ABANDONED_AFTER_MS, BATCH, this.reclaimCursor);
          this.reclaimCursor = next;
          await this.move(reader, entries);
        }
        if (this.stopping) break;
        this.waiting = true;
        const entries = await this.intake.take(reader, this.consumer, BATCH, BLOCK_MS).finally(() => (this.waiting = false));
        await this.move(reader, entries);
        if (entries.length > 0 && entries.length < BATCH) await delay(GATHER_MS);
      } catch (error) {
        if (this.stopping) break;
        this.warn(`Moving accepted builds into the queue: ${(error as Error).message}`);
        await delay(RETRY_AFTER_MS);
      }
    }
  }

  /**
   * Enqueues the entries in one round trip, then drops them from the intake;
   * when that fails they stay taken, for a later pass once they are idle.
   */
  private async move(reader: Redis, entries: IntakeEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const builds = entries.filter((entry) => entry.buildId !== '').map(({ buildId, inFlight }) => ({ id: buildId, inFlight }));
    try {
      await this.queue.enqueueAccepted(builds);
    } catch (error) {
      this.warn(`${builds.length} accepted builds not moved into the queue yet: ${(error as Error).message}`);
      return;
    }
    await this.intake.done(
      reader,
      entries.map((entry) => entry.entryId),
    );
  }

  /** At most one warning a second: a Redis that is down fails every pass. */
  private warn(message: string): void {
    if (Date.now() - this.lastWarning < 1_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }
}
