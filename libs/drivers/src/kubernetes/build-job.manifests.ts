import type { V1ConfigMap, V1Job, V1OwnerReference, V1Secret, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { CA_BUNDLE_SECRET } from '#libs/runtimes';
import { BuildSpec } from '../build-driver.js';
import { BuildObjectNames } from './build-object-names.js';
import { buildLabels } from './kubernetes-labels.js';
import { RegistryScope, proxiedDockerfile, registryProxyContainer, registryScope, targetRepository, throughProxy } from './registry-proxy.sidecar.js';

export interface BuildJobOptions {
  namespace: string;
  buildkitImage: string;
  buildkitdConfigMap: string;
  resources: { cpuRequest: string; cpuLimit: string; memoryRequest: string; memoryLimit: string };
  ttlSecondsAfterFinished: number;
  cache: boolean;
  insecureRegistry: boolean;
  /**
   * Run the build pod in a user namespace (`hostUsers: false`) with an
   * unmasked /proc, so BuildKit keeps its process sandbox: build steps get a
   * PID namespace of their own and cannot reach the daemon's files (its
   * registry credentials among them) through /proc.
   */
  userNamespaces: boolean;
  /** Image of the registry proxy sidecar that holds shared credentials; null: BuildKit reads them itself. */
  registryProxyImage: string | null;
}

/**
 * The registry credentials of one build: the user's own (BuildKit reads
 * them; they grant the tenant nothing it does not have) or shared ones,
 * which only the registry proxy sidecar reads when there is one.
 */
export interface BuildCredentials {
  secret: string;
  shared: boolean;
}

/** The registry scope a build's proxy enforces, or null when BuildKit talks to the registry itself. */
export function proxiedScope(spec: BuildSpec, options: BuildJobOptions, credentials: BuildCredentials | null): RegistryScope | null {
  if (!credentials?.shared || !options.registryProxyImage) return null;
  return registryScope(spec, options.insecureRegistry);
}

const WORKSPACE = '/workspace';
/** Where BuildKit reads the install step's secrets; no build step sees this directory, only the secret mounts. */
const INSTALL_SECRETS_DIR = '/home/user/.deployer-secrets';
/** Where BuildKit reads the operator's CA bundle, from a ConfigMap every build pod shares. */
const CA_BUNDLE_DIR = '/home/user/.deployer-ca';
const CA_BUNDLE_KEY = 'ca.pem';

/**
 * The CA bundle is the same for every build and public: one ConfigMap named
 * by its content, shared by all build pods, instead of a copy in each build's
 * Secret (a system bundle is ~200 KB).
 */
export function caBundleConfigMapName(content: Buffer): string {
  let name = caBundleNames.get(content);
  if (!name) {
    name = `deployer-ca-bundle-${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
    caBundleNames.set(content, name);
  }
  return name;
}

/** The worker hands every build the same bundle (read once at boot): its ~200 KB are hashed once, not twice per build. */
const caBundleNames = new WeakMap<Buffer, string>();

export function caBundleConfigMap(content: Buffer, options: BuildJobOptions): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // Not labelled managed-by: it belongs to no build, so the cleaner's orphan pass leaves it alone.
    metadata: { name: caBundleConfigMapName(content), namespace: options.namespace, labels: { 'app.kubernetes.io/part-of': 'openserverless' } },
    data: { [CA_BUNDLE_KEY]: content.toString('utf8') },
  };
}

/** The operator's CA bundle among a build's secrets, if any. */
export const caBundleOf = (spec: BuildSpec) => spec.secrets.find((secret) => secret.id === CA_BUNDLE_SECRET);
const perBuildSecretsOf = (spec: BuildSpec) => spec.secrets.filter((secret) => secret.id !== CA_BUNDLE_SECRET);

/** Whether the build needs a Secret of its own for its install step (package mirrors, which may carry credentials). */
export const needsInstallSecrets = (spec: BuildSpec) => perBuildSecretsOf(spec).length > 0;
const CONTEXT_SOURCE = '/context-source';
const BUILDKIT_CONTAINER = 'buildkit';
export { BUILDKIT_CONTAINER };

/** The build context: the Dockerfile and the dependency file, as a ConfigMap. */
export function contextConfigMap(
  spec: BuildSpec,
  names: BuildObjectNames,
  options: BuildJobOptions,
  owner?: V1OwnerReference,
  scope: RegistryScope | null = null,
): V1ConfigMap {
  const data: Record<string, string> = { Dockerfile: scope ? proxiedDockerfile(spec) : spec.dockerfile };
  for (const file of contextFiles(spec)) data[file.name] = file.content.toString('utf8');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.context, namespace: options.namespace, labels: buildLabels(spec), ownerReferences: owner ? [owner] : undefined },
    data,
  };
}

const contextFiles = (spec: BuildSpec) => [...(spec.dependencyFile ? [spec.dependencyFile] : []), ...spec.installFiles];

/** The install step's BuildKit secrets as a per-build Secret, owned by the Job like the context. */
export function installSecretsSecret(spec: BuildSpec, names: BuildObjectNames, options: BuildJobOptions, owner?: V1OwnerReference): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: names.installSecrets, namespace: options.namespace, labels: buildLabels(spec), ownerReferences: owner ? [owner] : undefined },
    data: Object.fromEntries(perBuildSecretsOf(spec).map((secret) => [secret.id, secret.content.toString('base64')])),
  };
}

/** A per-build dockerconfigjson Secret from the user's `user:password`. */
export function credentialsSecret(
  spec: BuildSpec,
  names: BuildObjectNames,
  options: BuildJobOptions,
  credentials: { username: string; password: string },
  owner?: V1OwnerReference,
): V1Secret {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const dockerConfig = { auths: { [spec.registryHost]: { username: credentials.username, password: credentials.password, auth } } };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: { name: names.credentials, namespace: options.namespace, labels: buildLabels(spec), ownerReferences: owner ? [owner] : undefined },
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerConfig)).toString('base64') },
  };
}

export const ownerReferenceTo = (job: V1Job): V1OwnerReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: String(job.metadata?.name),
  uid: String(job.metadata?.uid),
  controller: false,
  blockOwnerDeletion: false,
});

/** buildctl's arguments: each value its own argv entry, no shell anywhere. */
export function buildctlArguments(spec: BuildSpec, options: BuildJobOptions, scope: RegistryScope | null = null): string[] {
  // Through the proxy, BuildKit talks plain HTTP to loopback.
  const insecure = options.insecureRegistry || scope ? ',registry.insecure=true' : '';
  const onRegistry = (reference: string) => (scope ? throughProxy(reference, spec.registryHost) : reference);
  const image = onRegistry(spec.image);
  const cacheRef = onRegistry(`${spec.registryHost}/${targetRepository(spec)}:buildcache-${spec.kind}`);
  return [
    'build',
    '--progress=plain',
    '--frontend=dockerfile.v0',
    `--local=context=${WORKSPACE}`,
    `--local=dockerfile=${WORKSPACE}`,
    `--output=type=image,name=${image},push=true${insecure}`,
    '--metadata-file=/dev/termination-log',
    ...(options.cache
      ? [`--export-cache=type=registry,ref=${cacheRef},mode=max${insecure}`, `--import-cache=type=registry,ref=${cacheRef}${insecure}`]
      : []),
    ...(spec.noCache ? ['--no-cache'] : []),
    ...perBuildSecretsOf(spec).map((secret) => `--secret=id=${secret.id},src=${INSTALL_SECRETS_DIR}/${secret.id}`),
    ...(caBundleOf(spec) ? [`--secret=id=${CA_BUNDLE_SECRET},src=${CA_BUNDLE_DIR}/${CA_BUNDLE_KEY}`] : []),
  ];
}

/**
 * The build Job: an init container copies the context out of its ConfigMap
 * into an emptyDir; rootless BuildKit, started by its daemonless wrapper,
 * builds and pushes, writing the image digest as its termination message.
 * With shared credentials, a registry proxy sidecar holds them and BuildKit
 * reaches the registry through it: the tenant's steps run beside BuildKit,
 * never beside the credentials.
 */
export function buildJob(spec: BuildSpec, names: BuildObjectNames, options: BuildJobOptions, credentials: BuildCredentials | null): V1Job {
  const scope = proxiedScope(spec, options, credentials);
  const labels = buildLabels(spec);
  const files = ['Dockerfile', ...contextFiles(spec).map((file) => file.name)];
  const volumes: V1Volume[] = [
    { name: 'context-source', configMap: { name: names.context } },
    { name: 'workspace', emptyDir: {} },
    { name: 'buildkitd-config', configMap: { name: options.buildkitdConfigMap } },
    { name: 'buildkit-state', emptyDir: {} },
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'workspace', mountPath: WORKSPACE, readOnly: true },
    { name: 'buildkitd-config', mountPath: '/home/user/.config/buildkit', readOnly: true },
    { name: 'buildkit-state', mountPath: '/home/user/.local/share/buildkit' },
  ];
  if (credentials) {
    volumes.push({ name: 'docker-config', secret: { secretName: credentials.secret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
    if (!scope) mounts.push({ name: 'docker-config', mountPath: '/home/user/.docker', readOnly: true });
  }
  if (needsInstallSecrets(spec)) {
    volumes.push({ name: 'install-secrets', secret: { secretName: names.installSecrets, defaultMode: 0o400 } });
    mounts.push({ name: 'install-secrets', mountPath: INSTALL_SECRETS_DIR, readOnly: true });
  }
  const caBundle = caBundleOf(spec);
  const caBundleMounts: V1VolumeMount[] = caBundle ? [{ name: 'ca-bundle', mountPath: CA_BUNDLE_DIR, readOnly: true }] : [];
  if (caBundle) {
    volumes.push({ name: 'ca-bundle', configMap: { name: caBundleConfigMapName(caBundle.content) } });
    mounts.push(...caBundleMounts);
  }
  const sidecars =
    scope && options.registryProxyImage
      ? [registryProxyContainer(scope, options.registryProxyImage, caBundleMounts, caBundle ? `${CA_BUNDLE_DIR}/${CA_BUNDLE_KEY}` : null)]
      : [];
  const unprivileged = { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: names.job, namespace: options.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: spec.timeoutSeconds,
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          ...(options.userNamespaces ? { hostUsers: false } : {}),
          enableServiceLinks: false,
          securityContext: { fsGroup: 1000 },
          initContainers: [
            {
              name: 'context',
              image: options.buildkitImage,
              command: ['cp', '-L', ...files.map((file) => `${CONTEXT_SOURCE}/${file}`), `${WORKSPACE}/`],
              volumeMounts: [
                { name: 'context-source', mountPath: CONTEXT_SOURCE, readOnly: true },
                { name: 'workspace', mountPath: WORKSPACE },
              ],
              securityContext: { ...unprivileged, allowPrivilegeEscalation: false },
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
            },
            ...sidecars,
          ],
          containers: [
            {
              name: BUILDKIT_CONTAINER,
              image: options.buildkitImage,
              command: ['buildctl-daemonless.sh'],
              args: buildctlArguments(spec, options, scope),
              env: [
                { name: 'BUILDKITD_FLAGS', value: options.userNamespaces ? '' : '--oci-worker-no-process-sandbox' },
                { name: 'DOCKER_CONFIG', value: '/home/user/.docker' },
              ],
              volumeMounts: mounts,
              securityContext: {
                ...unprivileged,
                // Rootless BuildKit creates user and mount namespaces for every step, which the
                // runtime's default seccomp and AppArmor profiles forbid; nothing stricter works.
                seccompProfile: { type: 'Unconfined' },
                appArmorProfile: { type: 'Unconfined' },
                ...(options.userNamespaces ? { procMount: 'Unmasked' } : {}),
              },
              resources: {
                requests: { cpu: options.resources.cpuRequest, memory: options.resources.memoryRequest },
                limits: { cpu: options.resources.cpuLimit, memory: options.resources.memoryLimit },
              },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          volumes,
        },
      },
    },
  };
}
