import { Injectable } from '@nestjs/common';
import { DeployerEnvironment, registryUsesHttp } from '#libs/config';
import { DependencyUnavailableError } from '#libs/errors';
import { AnonymousRegistryTokens } from './anonymous-registry-tokens.js';
import { RegistryAnswer, RegistryHttpClient } from './registry-http.client.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const INDEX_TYPES = new Set(MANIFEST_TYPES.slice(2));

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

/** The Registry HTTP API v2, as far as the deployer needs it; any host. */
@Injectable()
export class RegistryRepository {
  private readonly headers: Record<string, string>;
  private readonly http: RegistryHttpClient;
  private readonly tokens: AnonymousRegistryTokens;

  constructor(private readonly config: DeployerEnvironment) {
    this.headers = {};
    if (config.REGISTRY_USER && config.REGISTRY_PASS) {
      const token = Buffer.from(`${config.REGISTRY_USER}:${config.REGISTRY_PASS}`).toString('base64');
      this.headers.authorization = `Basic ${token}`;
    }
    this.http = new RegistryHttpClient(config.REGISTRY_TIMEOUT_MS);
    this.tokens = new AnonymousRegistryTokens(this.http);
  }

  /** The image's manifest for this platform, or null when the tag does not exist. */
  async manifest(host: string, repository: string, reference: string): Promise<ImageManifest | null> {
    const response = await this.request(host, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_TYPES.join(', ') });
    if (response.status === 404) return null;
    await this.expectOk(response, `manifest ${repository}:${reference}`);
    const digest = response.header('docker-content-digest') ?? '';
    const document = response.json<ManifestDocument>();
    const mediaType = document.mediaType ?? response.header('content-type') ?? '';
    if (INDEX_TYPES.has(mediaType)) {
      const entry =
        document.manifests?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ??
        document.manifests?.[0];
      return entry ? this.manifest(host, repository, entry.digest) : null;
    }
    return {
      digest,
      mediaType,
      configDigest: document.config?.digest ?? '',
      configSize: document.config?.size ?? 0,
      layers: document.layers ?? [],
    };
  }

  async imageConfig(host: string, repository: string, configDigest: string): Promise<ImageConfig> {
    const response = await this.request(host, `/v2/${repository}/blobs/${configDigest}`, {});
    await this.expectOk(response, `config of ${repository}`);
    const body = response.json<{
      created?: string;
      config?: { Labels?: Record<string, string> | null; User?: string; WorkingDir?: string } | null;
    }>();
    const config = body.config ?? {};
    return {
      labels: config.Labels ?? {},
      created: body.created,
      user: typeof config.User === 'string' ? config.User : '',
      workingDir: typeof config.WorkingDir === 'string' ? config.WorkingDir : '',
    };
  }

  /** Repositories of the registry (`_catalog`), following its pagination. */
  async catalog(host: string): Promise<string[]> {
    return this.paginated(host, '/v2/_catalog?n=1000', 'repositories');
  }

  /** Tags of a repository, or [] when the repository does not exist. */
  async tags(host: string, repository: string): Promise<string[]> {
    return this.paginated(host, `/v2/${repository}/tags/list?n=1000`, 'tags');
  }

  /** Deletes a tag's manifest by its digest (the registry API deletes by digest only). */
  async deleteTag(host: string, repository: string, tag: string): Promise<string | null> {
    const manifest = await this.manifest(host, repository, tag);
    if (!manifest) return null;
    const response = await this.request(host, `/v2/${repository}/manifests/${manifest.digest}`, {}, 'DELETE');
    if (response.status === 404) return null;
    await this.expectOk(response, `delete of ${repository}@${manifest.digest}`);
    return manifest.digest;
  }

  private async paginated(host: string, first: string, field: 'repositories' | 'tags'): Promise<string[]> {
    const found: string[] = [];
    for (let path: string | null = first; path; ) {
      const response = await this.request(host, path, {});
      if (response.status === 404) return found;
      await this.expectOk(response, path);
      const body = response.json<Record<string, string[] | null>>();
      found.push(...(body[field] ?? []));
      const next = /<([^>]+)>;\s*rel="next"/.exec(response.header('link') ?? '')?.[1];
      path = next ?? null;
    }
    return found;
  }

  private async request(host: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<RegistryAnswer> {
    try {
      const url = new URL(`${registryUsesHttp(this.config, host) ? 'http' : 'https'}://${host}${path}`);
      const answer = await this.http.request(url, method, { ...this.headers, ...headers });
      // Public registries (Docker Hub, ghcr.io) answer anonymous pulls only with a bearer token.
      const token = answer.status === 401 ? await this.tokens.tokenFor(url, answer.header('www-authenticate')) : null;
      return token ? await this.http.request(url, method, { ...headers, authorization: `Bearer ${token}` }) : answer;
    } catch (error) {
      throw new DependencyUnavailableError(`Registry ${host} is unreachable: ${(error as Error).message}`, 'registry');
    }
  }

  private async expectOk(response: RegistryAnswer, what: string): Promise<void> {
    if (response.ok) return;
    throw new DependencyUnavailableError(`Registry answered ${response.status} for ${what}`, 'registry');
  }
}
