import type { V1Container, V1VolumeMount } from '@kubernetes/client-node';
import { parseImageReference } from '#libs/images';
import { BuildSpec } from '../build-driver.js';

export const REGISTRY_PROXY_CONTAINER = 'registry-proxy';
/** Where the proxy listens inside the build pod: loopback only, so nothing outside the pod reaches it. */
export const REGISTRY_PROXY_ADDRESS = '127.0.0.1:15000';
/** The shared credentials, mounted in the proxy's container only. */
export const PROXY_CREDENTIALS_DIR = '/run/registry-credentials';
const PROXY_ENTRY = 'dist/apps/registry-proxy/src/main.js';
const PROXY_USER = 65532;

/**
 * What one build may do on the shared registry, and so all its proxy lets
 * through: push to (and pull from) its target repository, where its cache
 * lives too, and pull its source when the source is on the same registry.
 */
export interface RegistryScope {
  /** `host[:port]` of the shared registry. */
  upstream: string;
  plainHttp: boolean;
  push: string[];
  pull: string[];
}

/** The repository of the build's target, where its cache lives too (the API parsed and checked the reference). */
export const targetRepository = (spec: BuildSpec) => parseImageReference(spec.image, 'image').repository;

/** The source's repository when the source is on the shared registry, else null. */
function sourceRepository(spec: BuildSpec): string | null {
  const source = parseImageReference(spec.source);
  return source.registry === spec.registryHost ? source.repository : null;
}

export function registryScope(spec: BuildSpec, plainHttp: boolean): RegistryScope {
  const target = targetRepository(spec);
  const source = sourceRepository(spec);
  return { upstream: spec.registryHost, plainHttp, push: [target], pull: source && source !== target ? [source] : [] };
}

/** A reference on the shared registry, as BuildKit names it when it goes through the proxy. */
export const throughProxy = (reference: string, upstream: string) => `${REGISTRY_PROXY_ADDRESS}/${reference.slice(upstream.length + 1)}`;

/**
 * The Dockerfile BuildKit builds when it goes through the proxy: a source on
 * the shared registry is pulled through it too. The worker renders the
 * source as the first line; the image keeps the real name in its labels.
 */
export function proxiedDockerfile(spec: BuildSpec): string {
  const from = `FROM ${spec.source}\n`;
  if (sourceRepository(spec) === null || !spec.dockerfile.startsWith(from)) return spec.dockerfile;
  return `FROM ${throughProxy(spec.source, spec.registryHost)}\n${spec.dockerfile.slice(from.length)}`;
}

/**
 * The proxy as a native sidecar (an init container that keeps running, so
 * BuildKit starts only once its startup probe passes, and the kubelet stops
 * it when the build ends). It runs from the deployer's image, as a user of
 * its own with nothing to write and no capabilities: it only forwards requests.
 */
export function registryProxyContainer(scope: RegistryScope, image: string, extraMounts: V1VolumeMount[], caBundlePath: string | null): V1Container {
  const args = [
    '--listen',
    REGISTRY_PROXY_ADDRESS,
    '--upstream',
    scope.upstream,
    ...(scope.plainHttp ? ['--plain-http'] : []),
    '--docker-config',
    `${PROXY_CREDENTIALS_DIR}/config.json`,
    ...scope.push.flatMap((repository) => ['--push', repository]),
    ...scope.pull.flatMap((repository) => ['--pull', repository]),
  ];
  return {
    name: REGISTRY_PROXY_CONTAINER,
    image,
    restartPolicy: 'Always',
    command: ['node', PROXY_ENTRY],
    args,
    env: caBundlePath ? [{ name: 'NODE_EXTRA_CA_CERTS', value: caBundlePath }] : [],
    volumeMounts: [{ name: 'docker-config', mountPath: PROXY_CREDENTIALS_DIR, readOnly: true }, ...extraMounts],
    startupProbe: {
      exec: { command: ['node', PROXY_ENTRY, '--check', REGISTRY_PROXY_ADDRESS] },
      periodSeconds: 1,
      failureThreshold: 60,
      timeoutSeconds: 5,
    },
    securityContext: {
      // Not BuildKit's user: nothing in the BuildKit container runs as the owner of the proxy's process.
      runAsUser: PROXY_USER,
      runAsGroup: PROXY_USER,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: { requests: { cpu: '20m', memory: '48Mi' }, limits: { cpu: '500m', memory: '192Mi' } },
  };
}
