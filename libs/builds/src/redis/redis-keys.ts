/**
 * Where each piece of a build lives in Redis. The queues (BullMQ, under the
 * same prefix), the metrics (MetricsKeys) and the failed-auth limiter keep
 * their own keys beside these.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  readonly buildPrefix = () => `${this.prefix}:build:`;
  readonly build = (id: string) => `${this.prefix}:build:${id}`;
  readonly file = (id: string) => `${this.prefix}:build:${id}:file`;
  readonly log = (id: string) => `${this.prefix}:build:${id}:log`;
  readonly credentials = (id: string) => `${this.prefix}:build:${id}:credentials`;
  readonly userBuilds = (login: string) => `${this.prefix}:user:${login.toLowerCase()}:builds`;
  readonly claim = (key: string) => `${this.prefix}:claim:${key}`;
  readonly existing = (key: string) => `${this.prefix}:existing:${key}`;
  readonly workerHeartbeat = (worker: string) => `${this.prefix}:workers:${worker}`;
  readonly workerHeartbeats = () => `${this.prefix}:workers:*`;
  readonly activeBuilds = (login: string) => `${this.prefix}:user:${login.toLowerCase()}:active`;
  readonly allActiveBuilds = () => `${this.prefix}:user:*:active`;
  readonly runningBuilds = (login: string) => `${this.prefix}:user:${login.toLowerCase()}:running`;
  readonly parkedBuilds = (login: string) => `${this.prefix}:user:${login.toLowerCase()}:parked`;
  /** Builds accepted and stored, not yet moved into the queue (a stream: BuildIntake). */
  readonly intake = () => `${this.prefix}:build-intake`;
  readonly replicationFence = () => `${this.prefix}:replication-fence`;
}
