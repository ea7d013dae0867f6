import { Injectable } from '@nestjs/common';
import { RegistryRepository } from './registry.repository.js';

const TAGS_TTL_MS = 1_000;
const MAX_CONFIGS = 5_000;

interface TagList {
  tags: Set<string>;
  fetchedAt: number;
}

/**
 * Answers "is this exact image already in the registry?" on the request path
 * without a registry round trip per request: a repository's tag list is
 * shared for a second (a tag pushed meanwhile costs at most a redundant,
 * correct build), and image configs are cached by digest, which never
 * changes what it names.
 */
@Injectable()
export class ExistingImageFinder {
  private readonly tagLists = new Map<string, TagList>();
  private readonly pending = new Map<string, Promise<TagList>>();
  private readonly configs = new Map<string, Record<string, string>>();

  constructor(private readonly registry: RegistryRepository) {}

  /** Forgets the tag list of `<host>/<repository>` (an image was just pushed there). */
  forget(repository: string): void {
    this.tagLists.delete(repository);
  }

  /** The digest of `<host>/<repository>:<tag>` when its label `label` equals `value`, else null. */
  async find(host: string, repository: string, tag: string, label: string, value: string): Promise<string | null> {
    const list = await this.tagsOf(host, repository);
    if (!list.tags.has(tag)) return null;
    const manifest = await this.registry.manifest(host, repository, tag);
    if (!manifest?.configDigest) return null;
    const labels = await this.labelsOf(host, repository, manifest.configDigest);
    return labels[label] === value ? manifest.digest : null;
  }

  private async tagsOf(host: string, repository: string): Promise<TagList> {
    const key = `${host}/${repository}`;
    const cached = this.tagLists.get(key);
    if (cached && Date.now() - cached.fetchedAt < TAGS_TTL_MS) return cached;
    let loading = this.pending.get(key);
    if (!loading) {
      loading = this.registry
        .tags(host, repository)
        .then((tags) => {
          const list = { tags: new Set(tags), fetchedAt: Date.now() };
          if (this.tagLists.size > 10_000) this.tagLists.clear();
          this.tagLists.set(key, list);
          return list;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, loading);
    }
    return loading;
  }

  private async labelsOf(host: string, repository: string, digest: string): Promise<Record<string, string>> {
    const key = `${host}/${digest}`;
    const cached = this.configs.get(key);
    if (cached) return cached;
    const { labels } = await this.registry.imageConfig(host, repository, digest);
    if (this.configs.size >= MAX_CONFIGS) this.configs.delete(this.configs.keys().next().value as string);
    this.configs.set(key, labels);
    return labels;
  }
}
