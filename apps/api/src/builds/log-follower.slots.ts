import { Injectable } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { TooManyRequestsError } from '#libs/errors';

const RETRY_AFTER_SECONDS = 10;

/**
 * Caps the logs followed at once, per user and for this process: each
 * follower holds a blocking Redis read, and Redis's connections are shared by
 * every replica and tenant. A slot is taken before the stream starts and
 * given back when it ends, however it ends.
 */
@Injectable()
export class LogFollowerSlots {
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly config: DeployerEnvironment) {}

  /** Takes a slot for `login`, or throws TooManyRequestsError; the returned function gives it back, once. */
  acquire(login: string): () => void {
    const mine = this.perUser.get(login) ?? 0;
    if (mine >= this.config.LOG_FOLLOWERS_PER_USER) {
      throw new TooManyRequestsError(
        `You follow ${mine} build logs already, the most allowed (LOG_FOLLOWERS_PER_USER); close one or retry later.`,
        RETRY_AFTER_SECONDS,
      );
    }
    if (this.total >= this.config.LOG_FOLLOWERS_PER_PROCESS) {
      throw new TooManyRequestsError('This replica follows as many build logs as it may; retry later.', RETRY_AFTER_SECONDS);
    }
    this.perUser.set(login, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perUser.get(login) ?? 1) - 1;
      if (left === 0) this.perUser.delete(login);
      else this.perUser.set(login, left);
    };
  }
}
