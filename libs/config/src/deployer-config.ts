import { Transform } from 'class-transformer';
import { CronTime } from 'cron';
import { isIP } from 'node:net';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';

const IsCronExpression = () =>
  ValidateBy({
    name: 'isCronExpression',
    validator: {
      validate: (value: unknown) => {
        try {
          return typeof value === 'string' && new CronTime(value) !== null;
        } catch {
          return false;
        }
      },
      defaultMessage: () => '$property must be a cron expression such as "0 * * * *"',
    },
  });

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/** An http(s) URL on one line, without quotes or backslashes. */
const MIRROR_URL = /^https?:\/\/[^\s'"\\]{1,2000}$/;
const MIRROR_MESSAGE = '$property must be an http(s) URL without spaces or quotes';

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyEntry = (entry: string) => {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};
const IsTrustedProxyList = () =>
  ValidateBy({
    name: 'isTrustedProxyList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && value.split(',').every((entry) => isProxyEntry(entry.trim())),
      defaultMessage: () => '$property must list addresses, CIDRs, loopback, linklocal or uniquelocal, comma-separated',
    },
  });

export const BUILD_DRIVERS = ['local', 'kubernetes'] as const;
export type BuildDriverName = (typeof BUILD_DRIVERS)[number];
export const AUTH_PROVIDERS = ['couchdb', 'static'] as const;

/**
 * The service's environment, parsed once at start-up. Property names are the
 * environment variables themselves so that a validation error names the
 * variable the operator has to fix.
 */
export class DeployerEnvironment {
  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  LISTEN_PORT = 5000;

  /** `json`: one JSON object a line (for log collectors); `text`: for people. */
  @IsIn(['text', 'json'])
  LOG_FORMAT: 'text' | 'json' = 'text';

  @IsString() @MinLength(1)
  LISTEN_HOST = '0.0.0.0';

  @IsString() @MinLength(1)
  REDIS_HOST = '127.0.0.1';

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  REDIS_PORT = 6379;

  @IsOptional() @IsString()
  REDIS_PASSWORD?: string = undefined;

  @Transform(toInt) @IsInt() @Min(0) @Max(15)
  REDIS_DB = 0;

  /**
   * Sentinels as `host:port,host:port`: when set, every connection asks them
   * for the current master of REDIS_SENTINEL_NAME, and REDIS_HOST/PORT are unused.
   */
  @IsOptional() @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, { message: '$property must be host:port[,host:port…]' })
  REDIS_SENTINELS?: string = undefined;

  @IsString() @MinLength(1)
  REDIS_SENTINEL_NAME = 'mymaster';

  @IsOptional() @IsString()
  REDIS_SENTINEL_PASSWORD?: string = undefined;

  /**
   * Replicas that must hold an accepted build before the API answers 200
   * (Redis WAIT); 0: answer once the master has it. With a failover, a build
   * only the old master held is gone: this makes "accepted" mean "survives it".
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(10)
  REDIS_WAIT_REPLICAS = 0;

  /** A Redis command that gets no answer in this time fails (the API answers 503). */
  @Transform(toInt) @IsInt() @Min(100) @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 2_000;

  /** Prefix of every Redis key and BullMQ queue, so deployments can share a Redis. */
  @IsString() @MinLength(1)
  REDIS_PREFIX = 'deployer';

  @IsIn(AUTH_PROVIDERS)
  AUTH_PROVIDER: (typeof AUTH_PROVIDERS)[number] = 'couchdb';

  @IsString()
  USERS_FILE = 'deploy/samples/users.json';

  @IsString() @MinLength(1)
  COUCHDB_SERVICE_HOST = 'couchdb';

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  COUCHDB_SERVICE_PORT = 5984;

  @IsIn(['http', 'https'])
  COUCHDB_PROTOCOL = 'http';

  @IsOptional() @IsString()
  COUCHDB_ADMIN_USER?: string = undefined;

  @IsOptional() @IsString()
  COUCHDB_ADMIN_PASSWORD?: string = undefined;

  @IsString()
  COUCHDB_PREFIX = 'nuvolaris_';

  @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  AUTH_CACHE_TTL_MS = 30_000;

  @Transform(toBool) @IsBoolean()
  STRICT_USER_CHECK = true;

  @IsIn(BUILD_DRIVERS)
  BUILD_DRIVER: BuildDriverName = 'local';

  /**
   * Where images are pushed, as `host[:port]`. When unset, the user's own
   * REGISTRY_HOST (OpenServerless user env) applies, then the driver's default.
   */
  @IsOptional() @IsString() @MinLength(1)
  REGISTRY_HOST?: string = undefined;

  /**
   * Where builds push (`host[:port]`), when it differs from where nodes pull:
   * a Service name resolves in a build pod but not for containerd on a node.
   */
  @IsOptional() @IsString() @MinLength(1)
  REGISTRY_PUSH_HOST?: string = undefined;

  /** The host in the `image` an action runs on (what `--docker` needs). */
  @IsOptional() @IsString() @MinLength(1)
  REGISTRY_PULL_HOST?: string = undefined;

  /** Talk plain HTTP to the registry (loopback registries are always HTTP). */
  @Transform(toBool) @IsBoolean()
  REGISTRY_INSECURE = false;

  @IsOptional() @IsString()
  REGISTRY_USER?: string = undefined;

  @IsOptional() @IsString()
  REGISTRY_PASS?: string = undefined;

  @Transform(toInt) @IsInt() @Min(100) @Max(60_000)
  REGISTRY_TIMEOUT_MS = 3_000;

  @IsString() @MinLength(1)
  DOCKER_CLI = '/usr/bin/docker';

  @IsOptional() @IsString()
  DOCKER_HOST?: string = undefined;

  /** `--network` of `docker build` (e.g. `none` on an Engine without a bridge). */
  @IsOptional() @IsIn(['none', 'host', 'default'])
  DOCKER_BUILD_NETWORK?: string = undefined;

  @IsOptional() @IsString()
  BUILD_WORKDIR?: string = undefined;

  /**
   * PEM bundle of every CA the install step must trust (a TLS-intercepting
   * proxy, an internal mirror): handed to that step as a BuildKit secret,
   * never written into the image. Initialised so loadConfig reads it.
   */
  @IsOptional() @IsString() @Matches(/^\/\S*$/, { message: '$property must be an absolute file path' })
  BUILD_CA_BUNDLE?: string = undefined;

  /** Package mirrors for the install step only (they may carry credentials; never logged or baked in). */
  @IsOptional() @Matches(MIRROR_URL, { message: MIRROR_MESSAGE })
  BUILD_PIP_INDEX_URL?: string = undefined;

  @IsOptional() @Matches(MIRROR_URL, { message: MIRROR_MESSAGE })
  BUILD_NPM_REGISTRY?: string = undefined;

  @IsOptional() @Matches(MIRROR_URL, { message: MIRROR_MESSAGE })
  BUILD_COMPOSER_REPOSITORY?: string = undefined;

  /** GOPROXY's own syntax: URLs separated by `,` or `|`, plus `direct` and `off`. */
  @IsOptional() @Matches(/^[^\s'"\\]{1,2000}$/, { message: '$property must be a GOPROXY value without spaces or quotes' })
  BUILD_GOPROXY?: string = undefined;

  @IsOptional() @Matches(MIRROR_URL, { message: MIRROR_MESSAGE })
  BUILD_GEM_SOURCE?: string = undefined;

  /**
   * Whether the worker reads the base image's config (its user) before a
   * build; off, each kind's default user applies.
   */
  @Transform(toBool) @IsBoolean()
  READ_BASE_IMAGE_CONFIG = true;

  /**
   * Kubernetes driver: build pods in a user namespace (`hostUsers: false`,
   * Kubernetes 1.33+ with a runtime that supports it), so BuildKit keeps its
   * process sandbox and build steps cannot read the daemon's credentials.
   */
  @Transform(toBool) @IsBoolean()
  BUILD_USER_NAMESPACES = false;

  /**
   * Kubernetes driver: shared push credentials stay in a sidecar of the build
   * pod, a registry proxy that lets BuildKit pull and push only what the build
   * may (its target repository, its source); the BuildKit container, where the
   * tenant's steps run, never holds them. Needs native sidecars (Kubernetes
   * 1.29+). Off, BuildKit reads the shared credentials itself.
   */
  @Transform(toBool) @IsBoolean()
  BUILD_REGISTRY_PROXY = true;

  /** Image of the build pods' registry proxy: the deployer's own image (keep it the same as the worker's). */
  @IsString() @MinLength(1)
  BUILD_REGISTRY_PROXY_IMAGE = 'openserverless/deployer';

  /** Kubernetes driver: kubeconfig file; in-cluster configuration when unset. */
  @IsOptional() @IsString()
  KUBECONFIG?: string = undefined;

  @IsString() @MinLength(1)
  KUBE_NAMESPACE = 'nuvolaris';

  /** Pinned rootless BuildKit image; its daemonless wrapper runs each build. */
  @IsString() @MinLength(1)
  BUILDKIT_IMAGE = 'moby/buildkit:v0.17.3-rootless';

  @IsString() @MinLength(1)
  BUILDKITD_CONFIGMAP = 'nuvolaris-buildkitd-conf';

  /** buildkitd.toml used to create BUILDKITD_CONFIGMAP when it is missing. */
  @IsString() @MinLength(1)
  BUILDKITD_TOML = 'deploy/buildkit/buildkitd.toml';

  /** imagePullSecret-style secret holding registry credentials for pushes. */
  @IsString() @MinLength(1)
  REGISTRY_PULL_SECRET = 'registry-pull-secret';

  /** Push credentials of the build Jobs; unset: `registry-pull-secret-int` when it exists, else REGISTRY_PULL_SECRET. */
  @IsOptional() @IsString() @MinLength(1)
  REGISTRY_PUSH_SECRET?: string = undefined;

  /** The builder catalog of `build/ensure`: `{"<id>": {"kind", "source"}}`; a missing default file is an empty catalog. */
  @IsString() @MinLength(1)
  BUILDER_CATALOG_FILE = '/etc/openserverless/builders.json';

  /** The catalog inline, instead of BUILDER_CATALOG_FILE. */
  @IsOptional() @IsString()
  BUILDER_CATALOG_JSON?: string = undefined;

  /** `build/start` accepts only sources that are images of the builder catalog. */
  @Transform(toBool) @IsBoolean()
  BUILD_SOURCES_FROM_CATALOG = false;

  @IsString() @MinLength(1)
  BUILD_CPU_REQUEST = '250m';

  @IsString() @MinLength(1)
  BUILD_CPU_LIMIT = '2';

  @IsString() @MinLength(1)
  BUILD_MEMORY_REQUEST = '256Mi';

  @IsString() @MinLength(1)
  BUILD_MEMORY_LIMIT = '2Gi';

  /** Kubernetes removes a finished build Job (and what it owns) after this. */
  @Transform(toInt) @IsInt() @Min(0) @Max(30 * 86_400)
  BUILD_TTL_SECONDS_AFTER_FINISHED = 86_400;

  /** Import and export a registry cache per user and kind. */
  @Transform(toBool) @IsBoolean()
  BUILD_CACHE = true;

  /** Retries of a Kubernetes API call that failed with 5xx, 429 or a network error. */
  @Transform(toInt) @IsInt() @Min(0) @Max(20)
  KUBE_API_RETRIES = 5;

  @Transform(toInt) @IsInt() @Min(10) @Max(60_000)
  KUBE_API_RETRY_BASE_MS = 200;

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  BUILD_CONCURRENCY = 2;

  @Transform(toInt) @IsInt() @Min(10) @Max(86_400)
  BUILD_TIMEOUT_SECONDS = 1_800;

  @Transform(toInt) @IsInt() @Min(1) @Max(10)
  BUILD_ATTEMPTS = 3;

  @Transform(toInt) @IsInt() @Min(1) @Max(8_760)
  BUILD_RECORD_TTL_HOURS = 168;

  @Transform(toInt) @IsInt() @Min(1) @Max(10 * 1024 * 1024)
  MAX_FILE_BYTES = 512 * 1024;

  @Transform(toInt) @IsInt() @Min(1) @Max(1_000)
  LOG_TAIL_LINES = 20;

  /** Build logs one user may follow at once on one replica; beyond it 429. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  LOG_FOLLOWERS_PER_USER = 10;

  /** Build logs one replica follows at once (each holds a Redis connection); beyond it 429. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  LOG_FOLLOWERS_PER_PROCESS = 1_000;

  /** Cap on one user's queued plus running builds (0: no cap); beyond it 429. */
  @Transform(toInt) @IsInt() @Min(0) @Max(10_000)
  MAX_ACTIVE_BUILDS_PER_USER = 20;

  /** Cap on one user's running builds across all workers (0: none); builds beyond it wait, parked in the queue. */
  @Transform(toInt) @IsInt() @Min(0) @Max(10_000)
  MAX_RUNNING_BUILDS_PER_USER = 5;

  /** Fair shares: a user's n-th build in flight waits behind every other user's builds of rank below n. */
  @Transform(toBool) @IsBoolean()
  BUILD_FAIR_SHARES = true;

  /**
   * Allowed source images, comma-separated patterns where `*` matches any run
   * of characters (e.g. `ghcr.io/apache/openserverless-runtime-*`); empty: any.
   */
  @IsOptional() @IsString()
  SOURCE_ALLOWLIST?: string = undefined;

  /** Logins allowed into the queue dashboard (/system/queues), comma-separated. */
  @IsOptional() @IsString()
  ADMIN_LOGINS?: string = undefined;

  /** A token that opens the queue dashboard (basic auth, any user name). */
  @IsOptional() @IsString() @MinLength(16)
  ADMIN_TOKEN?: string = undefined;

  /** Failed key checks per uuid tried and client address, per window, before 429 (0: no limit at all). */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000)
  AUTH_FAILURES_PER_WINDOW = 30;

  /**
   * Failed key checks one client address may make per window in all, whatever
   * uuids it tries (0: no such limit), so cycling through uuids does not
   * multiply the guesses.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000)
  AUTH_FAILURES_PER_ADDRESS = 300;

  @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  AUTH_FAILURE_WINDOW_SECONDS = 60;

  /**
   * Proxies (ingress) whose X-Forwarded-For is believed, comma-separated:
   * addresses, CIDRs, `loopback`, `linklocal`, `uniquelocal`. Unset: none, and
   * the client address is the connection's.
   */
  @IsOptional() @IsTrustedProxyList()
  TRUSTED_PROXIES?: string = undefined;

  /** When the scheduled cleanup runs (cron, 5 or 6 fields). */
  @IsCronExpression()
  CLEANUP_CRON = '0 * * * *';

  /** Age after which finished builds are removed by the scheduled cleanup. */
  @Transform(toInt) @IsInt() @Min(0) @Max(87_600)
  CLEANUP_MAX_AGE_HOURS = 24;

  /** Whether this worker schedules cleanups (any number may: each window runs once). */
  @Transform(toBool) @IsBoolean()
  CLEANUP_SCHEDULE = true;

  /** How long POST /build/cleanup waits for the workers. */
  @Transform(toInt) @IsInt() @Min(1_000) @Max(600_000)
  CLEANUP_REQUEST_TIMEOUT_MS = 30_000;

  /**
   * How often a worker looks for builds recorded as queued but missing from
   * the queue (an API that died between storing and enqueuing), and re-adds them.
   */
  @Transform(toInt) @IsInt() @Min(1_000) @Max(3_600_000)
  ORPHAN_CHECK_INTERVAL_MS = 60_000;

  /** A queued build younger than this is left alone by that check (its API may be enqueuing it now). */
  @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  ORPHAN_MIN_AGE_MS = 30_000;

  /** How long a worker holds a build before others may take it over (BullMQ lock). */
  @Transform(toInt) @IsInt() @Min(1_000) @Max(600_000)
  WORKER_LOCK_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(1_000) @Max(600_000)
  WORKER_STALLED_INTERVAL_MS = 30_000;

  /** On SIGTERM, how long a worker lets its running builds finish before it hands them to another worker. */
  @Transform(toInt) @IsInt() @Min(0) @Max(3_600)
  SHUTDOWN_GRACE_SECONDS = 25;

  /** On SIGTERM, how long the API keeps answering (readiness 503) so load balancers stop sending before it closes. */
  @Transform(toInt) @IsInt() @Min(0) @Max(300)
  SHUTDOWN_DRAIN_SECONDS = 0;
}
