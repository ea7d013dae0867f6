import type { BuildJobOptions } from '#libs/drivers';

/** Build Job options as a cluster install sets them (plain-HTTP registry, cache on, no proxy unless asked). */
export const buildJobOptions = (overrides: Partial<BuildJobOptions> = {}): BuildJobOptions => ({
  namespace: 'nuvolaris',
  buildkitImage: 'moby/buildkit:v0.17.3-rootless',
  buildkitdConfigMap: 'nuvolaris-buildkitd-conf',
  resources: { cpuRequest: '250m', cpuLimit: '2', memoryRequest: '256Mi', memoryLimit: '2Gi' },
  ttlSecondsAfterFinished: 3600,
  cache: true,
  insecureRegistry: true,
  userNamespaces: false,
  registryProxyImage: null,
  ...overrides,
});
