import { BadGatewayError } from '#libs/errors';

/** Bounds of one walk through a registry (a manifest with its index, a paginated list). */
export const WALK_LIMITS = {
  /** Requests one walk may make: a page or a manifest each. */
  requests: 64,
  /** Indexes one manifest lookup may pass through before a manifest (OCI allows nesting; nobody needs more). */
  indexDepth: 2,
  /** Names one listing may collect. */
  entries: 100_000,
} as const;

/**
 * One bounded walk: counts requests and stops at a deadline, so a registry
 * whose index points to itself or whose pages never end costs a few requests
 * and a clear 502, not a loop.
 */
export class RegistryWalk {
  private requests = 0;
  private readonly deadline: number;

  constructor(
    private readonly host: string,
    budgetMs: number,
  ) {
    this.deadline = Date.now() + budgetMs;
  }

  /** Called before each request; throws when the walk has used its budget. */
  step(what: string): void {
    this.requests += 1;
    if (this.requests > WALK_LIMITS.requests) this.refuse(`more than ${WALK_LIMITS.requests} requests for ${what}`);
    if (Date.now() > this.deadline) this.refuse(`${what} took longer than the walk allows`);
  }

  /** Milliseconds left, for the next request's own timeout. */
  remainingMs(): number {
    return Math.max(1, this.deadline - Date.now());
  }

  refuse(problem: string): never {
    throw new BadGatewayError(`Registry ${this.host} answered what the deployer refuses to follow: ${problem}.`, 'registry');
  }
}
