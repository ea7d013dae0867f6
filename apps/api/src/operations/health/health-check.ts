/** One dependency the API needs to serve requests; `check()` rejects when it cannot. */
export interface HealthCheck {
  readonly name: string;
  /** A failing check that is not critical is reported but leaves the API ready. */
  readonly critical?: boolean;
  check(): Promise<void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
