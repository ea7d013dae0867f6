/**
 * Why a build failed: the `reason` of a failed build record, as the status
 * API, the logs and the metrics report it. Every reason any part of the
 * deployer may write is declared here with its meaning; the README's table
 * is checked against this list.
 */
export const FAILURE_REASONS = {
  // The build itself
  BuildFailed: 'the image build failed (BuildKit exited non-zero) and the install step did not say why',
  InstallFailed: "the kind's install step failed: the message names the tool and its exit status",
  NotExtendible: 'the image has no /bin/extend and its kind has no install step of its own (java, dotnet)',
  PushFailed: 'the registry refused the image or reported no digest for it',
  DigestMissing: 'BuildKit finished without reporting the digest of the pushed image',
  DeadlineExceeded: 'the build ran longer than BUILD_TIMEOUT_SECONDS',
  Cancelled: 'the build was cancelled on request (DELETE /build/{id})',
  DependencyFileMissing: 'the dependency file expired from Redis before a worker took the build',
  BuilderUnavailable: 'the build machinery failed on every attempt (BUILD_ATTEMPTS); the message says how',
  // Registry credentials (kubernetes driver)
  InvalidRegistrySecret: 'REGISTRY_SECRET is neither a secret name nor user:password',
  RegistrySecretMissing: 'the named registry secret (REGISTRY_SECRET or REGISTRY_PUSH_SECRET) does not exist in the namespace',
  RegistrySecretNotAllowed: 'the named REGISTRY_SECRET is labelled neither for the user nor as shared',
  // The build Job and its Pod (kubernetes driver)
  KubernetesApiRejected: 'the Kubernetes API refused the build objects',
  JobNameConflict: "the build Job's name is taken by another build's Job",
  JobDeleted: 'the build Job was deleted before it finished',
  JobFailed: 'the build Job failed without a reason of its own',
  BackoffLimitExceeded: 'the build Job failed: its Pod failed more often than the Job allows',
  PodFailurePolicy: "the build Job failed by its Pod failure policy",
  ContextCopyFailed: 'the init container could not copy the build context',
  ImagePullBackOff: 'the build Pod cannot pull the BuildKit image (Kubernetes backs off)',
  ErrImagePull: 'the build Pod cannot pull the BuildKit image',
  InvalidImageName: 'the BuildKit image name is not valid',
  CreateContainerConfigError: "the build Pod's container configuration is invalid (e.g. a missing Secret)",
  CreateContainerError: 'the container runtime could not create the build container',
  CrashLoopBackOff: 'the build container keeps crashing',
} as const satisfies Record<string, string>;

export type FailureReason = keyof typeof FAILURE_REASONS;

export const FAILURE_REASON_NAMES = Object.keys(FAILURE_REASONS) as FailureReason[];

export const isFailureReason = (value: unknown): value is FailureReason =>
  typeof value === 'string' && Object.hasOwn(FAILURE_REASONS, value);
