import { Logger } from '@nestjs/common';
import type { V1Job } from '@kubernetes/client-node';
import { DeployerEnvironment, registryUsesHttp } from '#libs/config';
import { KubernetesApiError, KubernetesRepository, isAlreadyExists } from '#libs/kube';
import { BuildDriver, BuildFailure, BuildLogSink, BuildResult, BuildSpec, DriverCleanup, DriverCleanupReport, isHandover } from '../build-driver.js';
import { FinishedJobsCleaner } from './finished-jobs.cleaner.js';
import {
  BuildCredentials,
  BuildJobOptions,
  buildJob,
  caBundleConfigMap,
  caBundleOf,
  caBundleConfigMapName,
  contextConfigMap,
  credentialsSecret,
  installSecretsSecret,
  needsInstallSecrets,
  ownerReferenceTo,
  proxiedScope,
} from './build-job.manifests.js';
import { BuildObjectNames, buildObjectNames } from './build-object-names.js';
import { BuildkitdConfigMap } from './buildkitd-config.map.js';
import { assessBuild, BuildProgress } from './build-progress.js';
import { BuildKitLogFollower } from './buildkit-log.follower.js';
import { BuildJobTracker } from './build-job.tracker.js';
import { BuildJobFeed, BuildJobsInformer } from './build-jobs.informer.js';
import { BUILD_ID_LABEL, SHARED_REGISTRY_SECRET_LABEL, USER_LABEL, registrySecretUsableBy, userLabelValue } from './kubernetes-labels.js';

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The push credentials OpenServerless installs create beside the imagePullSecret. */
const INTERNAL_PUSH_SECRET = 'registry-pull-secret-int';
type NamedSecret = { kind: 'named'; name: string; shared: boolean };
/** How long the choice of shared push secret holds before the secrets are read again. */
const SHARED_CREDENTIALS_TTL_MS = 10_000;

/**
 * Builds in a Kubernetes Job with rootless BuildKit. The Job's name is
 * derived from the build, so a worker that takes over a build re-attaches to
 * the same Job instead of starting another.
 */
export class KubernetesBuildDriver extends BuildDriver {
  readonly name = 'kubernetes';
  override readonly buildsOutliveWorker = true;
  private readonly logger = new Logger(KubernetesBuildDriver.name);
  private readonly options: BuildJobOptions;
  private readonly buildkitdConfig: BuildkitdConfigMap;
  private readonly caBundlesSeen = new Set<string>();
  private readonly informer: BuildJobsInformer;
  private sharedCredentials?: { readonly until: number; readonly choice: Promise<NamedSecret | null> };

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly kube: KubernetesRepository,
  ) {
    super();
    this.informer = new BuildJobsInformer(kube);
    this.buildkitdConfig = new BuildkitdConfigMap(kube, { name: config.BUILDKITD_CONFIGMAP, tomlPath: config.BUILDKITD_TOML });
    this.options = {
      namespace: config.KUBE_NAMESPACE,
      buildkitImage: config.BUILDKIT_IMAGE,
      buildkitdConfigMap: config.BUILDKITD_CONFIGMAP,
      resources: {
        cpuRequest: config.BUILD_CPU_REQUEST,
        cpuLimit: config.BUILD_CPU_LIMIT,
        memoryRequest: config.BUILD_MEMORY_REQUEST,
        memoryLimit: config.BUILD_MEMORY_LIMIT,
      },
      ttlSecondsAfterFinished: config.BUILD_TTL_SECONDS_AFTER_FINISHED,
      cache: config.BUILD_CACHE,
      insecureRegistry: false,
      userNamespaces: config.BUILD_USER_NAMESPACES,
      registryProxyImage: config.BUILD_REGISTRY_PROXY ? config.BUILD_REGISTRY_PROXY_IMAGE : null,
    };
  }

  async ready(): Promise<void> {
    await this.buildkitdConfig.ensure();
  }

  /** Closes the shared watches when the worker stops. */
  onModuleDestroy(): void {
    this.informer.close();
  }

  async cleanup(options: DriverCleanup): Promise<DriverCleanupReport> {
    const report = await new FinishedJobsCleaner(this.kube).clean(options);
    return { deleted: report.deleted, error: report.error };
  }

  async run(spec: BuildSpec, log: BuildLogSink, signal: AbortSignal): Promise<BuildResult> {
    const names = buildObjectNames(spec.jobName);
    const options = { ...this.options, insecureRegistry: registryUsesHttp(this.config, spec.registryHost) };
    let feed: BuildJobFeed | undefined;
    try {
      await this.buildkitdConfig.ensure();
      await this.ensureCaBundle(spec, options);
      const credentials = await this.credentials(spec);
      const secret: BuildCredentials | null =
        credentials?.kind === 'per-build'
          ? { secret: names.credentials, shared: false }
          : credentials && { secret: credentials.name, shared: credentials.shared };
      // Subscribed before the create: the shared watches then report every event of the Job it makes.
      feed = (await this.informer.subscribe(names.job)) ?? undefined;
      const { job, created } = await this.createOrAttach(buildJob(spec, names, options, secret), spec.buildId);
      if (!created) {
        // A Job found under its name may have events from before the shared watches' start: it is followed on its own.
        feed?.close();
        feed = undefined;
      }
      const owner = ownerReferenceTo(job);
      const scope = proxiedScope(spec, options, secret);
      await this.ensureCreated(() => this.kube.createConfigMap(contextConfigMap(spec, names, options, owner, scope)));
      if (credentials?.kind === 'per-build') {
        await this.ensureCreated(() => this.kube.createSecret(credentialsSecret(spec, names, options, credentials, owner)));
      }
      if (needsInstallSecrets(spec)) {
        await this.ensureCreated(() => this.kube.createSecret(installSecretsSecret(spec, names, options, owner)));
      }
      return await this.follow(names, job, feed, log, signal);
    } catch (error) {
      if (error instanceof KubernetesApiError) {
        throw new BuildFailure(`the Kubernetes API refused the build: ${error.message}`, 'KubernetesApiRejected');
      }
      throw error;
    } finally {
      feed?.close();
    }
  }

  /** The shared CA bundle ConfigMap, created once per content (an existing one is left as it is: its name is its content). */
  private async ensureCaBundle(spec: BuildSpec, options: BuildJobOptions): Promise<void> {
    const bundle = caBundleOf(spec);
    if (!bundle) return;
    const name = caBundleConfigMapName(bundle.content);
    if (this.caBundlesSeen.has(name)) return;
    await this.ensureCreated(() => this.kube.createConfigMap(caBundleConfigMap(bundle.content, options)));
    this.caBundlesSeen.add(name);
  }

  private async credentials(
    spec: BuildSpec,
  ): Promise<{ kind: 'per-build'; username: string; password: string } | NamedSecret | null> {
    const secret = spec.registrySecret?.trim();
    if (!secret) return this.cachedSharedPushCredentials();
    const colon = secret.indexOf(':');
    if (colon > 0) return { kind: 'per-build', username: secret.slice(0, colon), password: secret.slice(colon + 1) };
    if (!SECRET_NAME.test(secret) || secret.length > 253) {
      throw new BuildFailure('REGISTRY_SECRET is neither a secret name nor user:password', 'InvalidRegistrySecret');
    }
    const found = await this.kube.readSecret(secret);
    if (!found) {
      throw new BuildFailure(`registry secret "${secret}" does not exist in namespace ${this.config.KUBE_NAMESPACE}`, 'RegistrySecretMissing');
    }
    if (!registrySecretUsableBy(found.metadata?.labels, spec.login)) {
      // Refused before any Job exists: a name alone must never mount another tenant's or the platform's secret.
      throw new BuildFailure(
        `registry secret "${secret}" is not labelled for this user (${USER_LABEL}=${userLabelValue(spec.login)}) ` +
          `nor shared with every user (${SHARED_REGISTRY_SECRET_LABEL}=true)`,
        'RegistrySecretNotAllowed',
      );
    }
    // Usable by this user alone, or shared with every user: shared ones stay with the proxy.
    return { kind: 'named', name: secret, shared: found.metadata?.labels?.[USER_LABEL] !== userLabelValue(spec.login) };
  }

  /** The shared push secret, chosen at most every few seconds rather than with two reads per build; a failed choice is not kept. */
  private cachedSharedPushCredentials(): Promise<NamedSecret | null> {
    if (this.sharedCredentials && this.sharedCredentials.until > Date.now()) return this.sharedCredentials.choice;
    const choice = this.sharedPushCredentials();
    const entry = { until: Date.now() + SHARED_CREDENTIALS_TTL_MS, choice };
    this.sharedCredentials = entry;
    choice.catch(() => {
      if (this.sharedCredentials === entry) this.sharedCredentials = undefined;
    });
    return choice;
  }

  /**
   * REGISTRY_PUSH_SECRET when configured (it must exist), else the secret
   * installs make for pushing (`registry-pull-secret-int`), else the
   * imagePullSecret (REGISTRY_PULL_SECRET), else none.
   */
  private async sharedPushCredentials(): Promise<NamedSecret | null> {
    const configured = this.config.REGISTRY_PUSH_SECRET;
    if (configured) {
      if (await this.kube.readSecret(configured)) return { kind: 'named', name: configured, shared: true };
      throw new BuildFailure(`REGISTRY_PUSH_SECRET "${configured}" does not exist in namespace ${this.config.KUBE_NAMESPACE}`, 'RegistrySecretMissing');
    }
    for (const name of [INTERNAL_PUSH_SECRET, this.config.REGISTRY_PULL_SECRET]) {
      if (await this.kube.readSecret(name)) return { kind: 'named', name, shared: true };
    }
    return null;
  }

  /** The Job created from `manifest`, or the one of the same build found under its name (`created` false). */
  private async createOrAttach(manifest: V1Job, buildId: string): Promise<{ job: V1Job; created: boolean }> {
    try {
      return { job: await this.kube.createJob(manifest), created: true };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const existing = await this.kube.readJob(String(manifest.metadata?.name));
    if (!existing) return { job: await this.kube.createJob(manifest), created: true };
    if (existing.metadata?.labels?.[BUILD_ID_LABEL] !== buildId) {
      throw new BuildFailure(`Job ${manifest.metadata?.name} belongs to another build`, 'JobNameConflict');
    }
    this.logger.log(`Re-attached to Job ${manifest.metadata?.name}`);
    return { job: existing, created: false };
  }

  private async ensureCreated(create: () => Promise<unknown>): Promise<void> {
    try {
      await create();
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }

  /**
   * Follows the Job and its Pods (kept current by the shared watches' feed or by watches of its own, re-read whenever
   * a watch ends) until the build ends.
   */
  private async follow(names: BuildObjectNames, created: V1Job, feed: BuildJobFeed | undefined, log: BuildLogSink, signal: AbortSignal): Promise<BuildResult> {
    const logs = new BuildKitLogFollower(this.kube, log);
    const tracker = new BuildJobTracker(this.kube, names.job, created, feed);
    try {
      for (;;) {
        if (signal.aborted) {
          // Handed over, the Job keeps building: the next worker re-attaches to it by its name.
          if (isHandover(signal)) throw signal.reason;
          await this.kube.deleteJob(names.job, 'Background');
          throw new BuildFailure('the build was cancelled', 'Cancelled');
        }
        const { job, pods, fresh } = await tracker.current();
        const progress = assessBuild(job, pods);
        if ('pod' in progress && progress.pod) logs.follow(progress.pod, progress.phase === 'running');
        const ended = progress.phase === 'succeeded' || progress.phase === 'failed';
        // A success with its digest is final as it arrives: BuildKit exited 0 and its terminated status carries the
        // digest it pushed. Any other outcome (a reason, a missing digest) is decided on a fresh read, as the two
        // watches are not ordered: the Job may be reported failed or complete before its Pod's last status.
        const settled = fresh || (progress.phase === 'succeeded' && progress.digest !== '');
        if (ended && !settled) {
          tracker.reread();
          continue;
        }
        if (ended) {
          await logs.drain();
          return this.outcome(progress, logs.recent);
        }
        await tracker.nextChange(signal);
      }
    } finally {
      tracker.close();
      await logs.close();
    }
  }

  private outcome(progress: Extract<BuildProgress, { phase: 'succeeded' | 'failed' }>, recent: readonly string[]): BuildResult {
    if (progress.phase === 'failed') {
      const cause = [...recent].reverse().find((line) => /error/i.test(line));
      throw new BuildFailure(cause ? `${progress.message}: ${cause.trim()}` : progress.message, progress.reason);
    }
    if (!progress.digest) throw new BuildFailure('BuildKit finished without reporting the image digest', 'DigestMissing');
    return { digest: progress.digest };
  }
}
