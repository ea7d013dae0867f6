import type { FailureReason } from '#libs/errors';

export interface ContextFile {
  name: string;
  content: Buffer;
}

export interface BuildSecret {
  id: string;
  content: Buffer;
}

/** What a build needs to know of its base image's config. */
export interface BaseImageConfig {
  /** `User` of the config; empty means root. */
  user: string;
  workingDir: string;
}

/** What a driver needs to build one image; rendered by the worker, never by the driver. */
export interface BuildSpec {
  buildId: string;
  /** DNS-1123 name of the build's Kubernetes Job (and the base of its other objects). */
  jobName: string;
  /** The owner's login (lowercase), as labels record it. */
  login: string;
  kind: string;
  /** `host[:port]` the image is pushed to. */
  registryHost: string;
  /**
   * The user's REGISTRY_SECRET: a secret name or `user:password`; never logged.
   * Always passed; the kubernetes driver pushes with it, the local one with its Engine's own login.
   */
  registrySecret: string | null;
  /** Full reference to push: `<registry>/<user>:<tag>`. */
  image: string;
  /** The base image, as the Dockerfile's first line names it (`FROM <source>`). */
  source: string;
  dockerfile: string;
  dependencyFile: ContextFile | null;
  /** The install script and its data: in the context beside the Dockerfile, bind-mounted by the install step. */
  installFiles: ContextFile[];
  /** BuildKit secrets of the install step (CA bundle, package mirrors); never logged, never in a layer. */
  secrets: BuildSecret[];
  timeoutSeconds: number;
  /** Rebuild every step (a forced build must really run again). */
  noCache: boolean;
}

export interface BuildResult {
  digest: string;
}

/** Receives build output as it comes. */
export interface BuildLogSink {
  write(lines: string[]): Promise<void>;
}

/**
 * The build itself failed (bad dependency file, failing extend step, deadline,
 * push refused): final, no retry. Any other error is treated as a fault of the
 * machinery and retried.
 */
export class BuildFailure extends Error {
  constructor(
    message: string,
    readonly reason: FailureReason,
  ) {
    super(message);
    this.name = 'BuildFailure';
  }
}

/**
 * The reason a worker that shuts down aborts a build with: the build is not
 * over and goes back to the queue for another worker (which re-attaches to a
 * Job that outlives its worker, or runs a local build again).
 */
export class BuildHandover extends Error {
  constructor() {
    super('the worker is shutting down; the build goes to another worker');
    this.name = 'BuildHandover';
  }
}

export const isHandover = (signal: AbortSignal) => signal.aborted && signal.reason instanceof BuildHandover;

export interface DriverCleanup {
  olderThan: Date;
  /** Only this user's; everyone's when absent. */
  login?: string;
}

export interface DriverCleanupReport {
  deleted: number;
  /** Set when the cleanup stopped early; the rest waits for the next run. */
  error?: string;
}

/** The seam between the queue and the builder. */
export abstract class BuildDriver {
  abstract readonly name: string;
  /** Whether a build goes on without its worker (a Job does), so a worker that stops may hand it over at once. */
  readonly buildsOutliveWorker: boolean = false;
  /** Removes what finished builds left in the builder (Jobs, local images). */
  abstract cleanup(options: DriverCleanup): Promise<DriverCleanupReport>;
  /** Resolves when the driver can take builds; throws with the reason otherwise. */
  abstract ready(): Promise<void>;
  abstract run(spec: BuildSpec, log: BuildLogSink, signal: AbortSignal): Promise<BuildResult>;

  /**
   * The base image's config as this driver's builder holds it locally, or
   * null when the builder has no local copy (the registry is asked then).
   */
  async localImageConfig(_source: string): Promise<BaseImageConfig | null> {
    return null;
  }
}
