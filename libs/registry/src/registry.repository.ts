import { Injectable, Optional } from '@nestjs/common';
import { DeployerEnvironment, registryUsesHttp } from '#libs/config';
import { driverProfileOf } from '#libs/drivers';
import { BadGatewayError, DependencyUnavailableError } from '#libs/errors';
import { AnonymousRegistryTokens } from './anonymous-registry-tokens.js';
import { ClusterRegistryHost } from './cluster-registry-host.js';
import { RegistryCredentials, basicAuthorization } from './registry-credentials.js';
import { RegistryAnswer, RegistryHttpClient } from './registry-http.client.js';
import { RegistryWalk, WALK_LIMITS } from './registry-walk.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const INDEX_TYPES = new Set(MANIFEST_TYPES.slice(2));
/** A walk may take a few request timeouts, never more. */
const WALK_TIMEOUTS = 4;

export interface ImageManifest {
  digest: string;
  mediaType: string;
  configDigest: string;
  /** Size in bytes of the config blob (0 when the manifest does not say). */
  configSize: number;
  layers: { digest: string; size: number }[];
}

export interface ImageConfig {
  labels: Record<string, string>;
  created?: string;
  /** `User` of the config; empty means root. */
  user: string;
  workingDir: string;
}

interface ManifestDocument {
  mediaType?: string;
  config?: { digest: string; size?: number };
  layers?: { digest: string; size: number }[];
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
}

/**
 * The Registry HTTP API v2, as far as the deployer needs it; any host. The
 * service's REGISTRY_USER/REGISTRY_PASS go only to the registry they were
 * configured for (REGISTRY_HOST, else the cluster's or the driver's); any
 * other host gets the caller's own credentials, if given, or none. Every
 * walk (a paginated list, a manifest behind indexes) is bounded.
 */
@Injectable()
export class RegistryRepository {
  private readonly serviceAuthorization: string | undefined;
  private readonly http: RegistryHttpClient;
  private readonly tokens: AnonymousRegistryTokens;

  constructor(
    private readonly config: DeployerEnvironment,
    @Optional() private readonly cluster?: ClusterRegistryHost,
  ) {
    if (config.REGISTRY_USER && config.REGISTRY_PASS) {
      this.serviceAuthorization = basicAuthorization({ username: config.REGISTRY_USER, password: config.REGISTRY_PASS });
    }
    this.http = new RegistryHttpClient(config.REGISTRY_TIMEOUT_MS);
    this.tokens = new AnonymousRegistryTokens(this.http);
  }

  /** The image's manifest for this platform, or null when the tag does not exist. */
  async manifest(host: string, repository: string, reference: string, credentials?: RegistryCredentials): Promise<ImageManifest | null> {
    return this.manifestWithin(this.walk(host), host, repository, reference, credentials, 0);
  }

  async imageConfig(host: string, repository: string, configDigest: string, credentials?: RegistryCredentials): Promise<ImageConfig> {
    const walk = this.walk(host);
    walk.step(`config of ${repository}`);
    const response = await this.request(walk, host, `/v2/${repository}/blobs/${configDigest}`, {}, credentials);
    await this.expectOk(response, `config of ${repository}`);
    const body = this.parse<{
      created?: string;
      config?: { Labels?: Record<string, string> | null; User?: unknown; WorkingDir?: unknown } | null;
    }>(walk, response);
    const config = body.config ?? {};
    return {
      labels: config.Labels ?? {},
      created: body.created,
      user: typeof config.User === 'string' ? config.User : '',
      workingDir: typeof config.WorkingDir === 'string' ? config.WorkingDir : '',
    };
  }

  /** Repositories of the registry (`_catalog`), following its pagination. */
  async catalog(host: string, credentials?: RegistryCredentials): Promise<string[]> {
    return this.paginated(host, '/v2/_catalog?n=1000', 'repositories', credentials);
  }

  /** Tags of a repository, or [] when the repository does not exist. */
  async tags(host: string, repository: string, credentials?: RegistryCredentials): Promise<string[]> {
    return this.paginated(host, `/v2/${repository}/tags/list?n=1000`, 'tags', credentials);
  }

  /** Deletes a tag's manifest by its digest (the registry API deletes by digest only). */
  async deleteTag(host: string, repository: string, tag: string, credentials?: RegistryCredentials): Promise<string | null> {
    const manifest = await this.manifest(host, repository, tag, credentials);
    if (!manifest) return null;
    const walk = this.walk(host);
    walk.step(`delete of ${repository}`);
    const response = await this.request(walk, host, `/v2/${repository}/manifests/${manifest.digest}`, {}, credentials, 'DELETE');
    if (response.status === 404) return null;
    await this.expectOk(response, `delete of ${repository}@${manifest.digest}`);
    return manifest.digest;
  }

  private async manifestWithin(
    walk: RegistryWalk,
    host: string,
    repository: string,
    reference: string,
    credentials: RegistryCredentials | undefined,
    indexesPassed: number,
  ): Promise<ImageManifest | null> {
    walk.step(`manifest ${repository}:${reference}`);
    const response = await this.request(walk, host, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_TYPES.join(', ') }, credentials);
    if (response.status === 404) return null;
    await this.expectOk(response, `manifest ${repository}:${reference}`);
    const digest = response.header('docker-content-digest') ?? '';
    const document = this.parse<ManifestDocument>(walk, response);
    const mediaType = document.mediaType ?? response.header('content-type') ?? '';
    if (INDEX_TYPES.has(mediaType)) {
      if (indexesPassed >= WALK_LIMITS.indexDepth) walk.refuse(`indexes nested deeper than ${WALK_LIMITS.indexDepth} under ${repository}:${reference}`);
      const entry =
        document.manifests?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ??
        document.manifests?.[0];
      if (entry && (entry.digest === reference || entry.digest === digest)) walk.refuse(`the index ${repository}:${reference} points to itself`);
      return entry ? this.manifestWithin(walk, host, repository, entry.digest, credentials, indexesPassed + 1) : null;
    }
    return {
      digest,
      mediaType,
      configDigest: document.config?.digest ?? '',
      configSize: document.config?.size ?? 0,
      layers: document.layers ?? [],
    };
  }

  private async paginated(
    host: string,
    first: string,
    field: 'repositories' | 'tags',
    credentials: RegistryCredentials | undefined,
  ): Promise<string[]> {
    const walk = this.walk(host);
    const origin = this.baseUrl(host).origin;
    const found: string[] = [];
    for (let path: string | null = first; path; ) {
      walk.step(`the pages of ${first}`);
      const response = await this.request(walk, host, path, {}, credentials);
      if (response.status === 404) return found;
      await this.expectOk(response, path);
      const body = this.parse<Record<string, string[] | null>>(walk, response);
      found.push(...(body[field] ?? []));
      if (found.length > WALK_LIMITS.entries) walk.refuse(`more than ${WALK_LIMITS.entries} entries in ${first}`);
      const next = /<([^>]+)>;\s*rel="next"/.exec(response.header('link') ?? '')?.[1];
      path = next === undefined ? null : this.sameOriginPath(walk, origin, next);
    }
    return found;
  }

  /** A pagination link, only on the origin that answered: credentials never follow it elsewhere. */
  private sameOriginPath(walk: RegistryWalk, origin: string, link: string): string {
    let url: URL;
    try {
      url = new URL(link, origin);
    } catch {
      return walk.refuse('a pagination link that is not a URL');
    }
    if (url.origin !== origin) walk.refuse('a pagination link to another host');
    return `${url.pathname}${url.search}`;
  }

  private walk(host: string): RegistryWalk {
    return new RegistryWalk(host, this.config.REGISTRY_TIMEOUT_MS * WALK_TIMEOUTS);
  }

  private baseUrl(host: string): URL {
    return new URL(`${registryUsesHttp(this.config, host) ? 'http' : 'https'}://${host}`);
  }

  /** The hosts of the service's own registry (push and pull side), the only ones its credentials go to. */
  private isServiceHost(host: string): boolean {
    const announced = this.cluster?.announced() ?? {};
    const push = this.config.REGISTRY_PUSH_HOST ?? this.config.REGISTRY_HOST ?? announced.push ?? announced.internal;
    const pull = this.config.REGISTRY_PULL_HOST ?? this.config.REGISTRY_HOST ?? announced.pull ?? announced.host;
    return host === (push ?? driverProfileOf(this.config).defaultRegistryHost) || (pull !== undefined && host === pull);
  }

  private authorizationFor(host: string, credentials: RegistryCredentials | undefined): Record<string, string> {
    if (this.serviceAuthorization && this.isServiceHost(host)) return { authorization: this.serviceAuthorization };
    return credentials ? { authorization: basicAuthorization(credentials) } : {};
  }

  private async request(
    walk: RegistryWalk,
    host: string,
    path: string,
    headers: Record<string, string>,
    credentials: RegistryCredentials | undefined,
    method = 'GET',
  ): Promise<RegistryAnswer> {
    try {
      const url = new URL(path, this.baseUrl(host));
      const answer = await this.http.request(url, method, { ...this.authorizationFor(host, credentials), ...headers }, walk.remainingMs());
      if (answer.status !== 401) return answer;
      // Public registries (Docker Hub, ghcr.io) answer anonymous pulls only with a bearer token.
      walk.step(`token for ${host}`);
      const token = await this.tokens.tokenFor(url, answer.header('www-authenticate'), walk.remainingMs());
      return token ? await this.http.request(url, method, { ...headers, authorization: `Bearer ${token}` }, walk.remainingMs()) : answer;
    } catch (error) {
      throw new DependencyUnavailableError(`Registry ${host} is unreachable: ${(error as Error).message}`, 'registry');
    }
  }

  private parse<T>(walk: RegistryWalk, response: RegistryAnswer): T {
    try {
      return response.json<T>();
    } catch {
      return walk.refuse('an answer that is not JSON');
    }
  }

  private async expectOk(response: RegistryAnswer, what: string): Promise<void> {
    if (response.ok) return;
    throw new DependencyUnavailableError(`Registry answered ${response.status} for ${what}`, 'registry');
  }
}
