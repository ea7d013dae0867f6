import { Inject, Injectable, Logger } from '@nestjs/common';
import { withDeadline } from '../deadline.js';
import { HEALTH_CHECKS, HealthCheck } from './health-check.js';

const CHECK_DEADLINE_MS = 1_000;

export type CheckState = 'up' | 'down';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckState>;
  /** Names of the checks that failed. */
  down: string[];
}

/**
 * Runs every health check at once, each bounded in time. Errors go to the log
 * only: the answer is public and should not carry internal addresses.
 */
@Injectable()
export class Readiness {
  private readonly logger = new Logger(Readiness.name);

  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  async report(): Promise<ReadinessReport> {
    const results = await Promise.allSettled(
      this.checks.map((c) => withDeadline(c.check(), CHECK_DEADLINE_MS, c.name)),
    );
    const checks: Record<string, CheckState> = {};
    const down: string[] = [];
    results.forEach((result, i) => {
      const { name } = this.checks[i];
      checks[name] = result.status === 'fulfilled' ? 'up' : 'down';
      if (result.status === 'fulfilled') return;
      if (this.checks[i].critical !== false) down.push(name);
      this.logger.warn(`Not ready: ${name}: ${(result.reason as Error).message}`);
    });
    return { ready: down.length === 0, checks, down };
  }
}
