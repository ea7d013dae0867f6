/** Where metrics shared between processes live in Redis, beside the build keys. */
export class MetricsKeys {
  constructor(private readonly prefix: string) {}

  readonly buildDuration = () => `${this.prefix}:metrics:build_duration_seconds`;
  readonly buildFailures = () => `${this.prefix}:metrics:build_failures`;
  readonly cleanupRuns = () => `${this.prefix}:metrics:cleanup_runs`;
}
