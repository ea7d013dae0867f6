import { Injectable } from '@nestjs/common';
import type { RegistryCredentials } from './registry-credentials.js';
import { ImageManifest, RegistryRepository } from './registry.repository.js';

const FRESH_MS = 1_000;
/** An entry read when older than this is reloaded in the background, so a repository asked about steadily never makes a request wait. */
const REFRESH_AHEAD_MS = FRESH_MS / 2;
const MAX_ENTRIES = 10_000;

interface Remembered<T> {
  value: T;
  at: number;
}

/**
 * Answers "is this exact image already in the registry?" on the request path
 * without a registry round trip per request. A repository's tag list and a
 * tag's manifest are shared for a second, with one request in flight for
 * everyone asking, and reloaded in the background when asked about in the
 * second half of that second: no answer is older than a second, and none
 * waits while the questions keep coming. A tag pushed meanwhile by someone
 * else costs at most a redundant, correct build; our own pushes are announced
 * and forgotten at once. Image configs are kept by digest, which never
 * changes what it names.
 */
@Injectable()
export class ExistingImageFinder {
  private readonly tagLists = new Map<string, Remembered<Set<string>>>();
  private readonly manifests = new Map<string, Remembered<ImageManifest | null>>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly configs = new Map<string, Record<string, string>>();
  /** Counts forget() calls: a load begun before one answers its callers but is not remembered. */
  private forgets = 0;

  constructor(private readonly registry: RegistryRepository) {}

  /** Forgets what was seen of `<host>/<repository>` (an image was just pushed there). */
  forget(repository: string): void {
    this.forgets++;
    this.tagLists.delete(repository);
    for (const key of this.manifests.keys()) if (key.startsWith(`${repository}:`)) this.manifests.delete(key);
    for (const key of this.pending.keys()) if (key === `tags ${repository}` || key.startsWith(`manifest ${repository}:`)) this.pending.delete(key);
  }

  /** The digest of `<host>/<repository>:<tag>` when its label `label` equals `value`, else null. */
  async find(
    host: string,
    repository: string,
    tag: string,
    label: string,
    value: string,
    credentials?: RegistryCredentials,
  ): Promise<string | null> {
    const key = `${host}/${repository}`;
    const tags = await this.fresh('tags', this.tagLists, key, async () => new Set(await this.registry.tags(host, repository, credentials)));
    if (!tags.has(tag)) return null;
    const manifest = await this.fresh('manifest', this.manifests, `${key}:${tag}`, () =>
      this.registry.manifest(host, repository, tag, credentials),
    );
    if (!manifest?.configDigest) return null;
    const labels = await this.labelsOf(host, repository, manifest.configDigest, credentials);
    return labels[label] === value ? manifest.digest : null;
  }

  private async fresh<T>(kind: string, cache: Map<string, Remembered<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const known = cache.get(key);
    const age = known ? Date.now() - known.at : Infinity;
    if (known && age < FRESH_MS) {
      // A failed reload keeps what is known until it expires; the next load after that reports the failure.
      if (age >= REFRESH_AHEAD_MS) this.reload(kind, cache, key, load).catch(() => undefined);
      return known.value;
    }
    return this.reload(kind, cache, key, load);
  }

  /** Loads `key` once for everyone asking meanwhile, and remembers the answer. */
  private reload<T>(kind: string, cache: Map<string, Remembered<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const flightKey = `${kind} ${key}`;
    const flying = this.pending.get(flightKey) as Promise<T> | undefined;
    if (flying) return flying;
    const forgets = this.forgets;
    const flight: Promise<T> = load()
      .then((value) => {
        if (forgets !== this.forgets) return value;
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(key, { value, at: Date.now() });
        return value;
      })
      .finally(() => {
        if (this.pending.get(flightKey) === flight) this.pending.delete(flightKey);
      });
    this.pending.set(flightKey, flight);
    return flight;
  }

  private async labelsOf(
    host: string,
    repository: string,
    digest: string,
    credentials: RegistryCredentials | undefined,
  ): Promise<Record<string, string>> {
    const key = `${host}/${digest}`;
    const cached = this.configs.get(key);
    if (cached) return cached;
    let flight = this.pending.get(`config ${key}`) as Promise<Record<string, string>> | undefined;
    if (!flight) {
      flight = this.registry
        .imageConfig(host, repository, digest, credentials)
        .then(({ labels }) => {
          if (this.configs.size >= MAX_ENTRIES) this.configs.delete(this.configs.keys().next().value as string);
          this.configs.set(key, labels);
          return labels;
        })
        .finally(() => this.pending.delete(`config ${key}`));
      this.pending.set(`config ${key}`, flight);
    }
    return flight;
  }
}
