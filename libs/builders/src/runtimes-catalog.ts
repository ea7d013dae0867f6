import { isRuntimeKind } from '#libs/runtimes';
import { BuilderCatalog, BuilderCatalogError } from './builder-catalog.js';

/** One runtime of OpenServerless `runtimes.json`, as far as a catalog needs it. */
interface RuntimeEntry {
  kind?: unknown;
  image?: { prefix?: unknown; name?: unknown; tag?: unknown };
  openserverless?: { extendible?: unknown };
}

export interface RuntimesCatalog {
  /** builders.json: `{"<runtime kind>": {"kind", "source"}}`, sorted by id. */
  document: Record<string, { kind: string; source: string }>;
  /** Extendible runtimes left out, with why (a language the deployer has no strategy for). */
  skipped: string[];
}

/**
 * The builder catalog of an OpenServerless `runtimes.json`: every runtime
 * marked `openserverless.extendible: true`, its `kind` (`python:3.13`) as the
 * builder id, the language before the colon as the kind, and
 * `prefix/name:tag` as the source. The result is validated like any catalog.
 */
export function catalogFromRuntimes(runtimesJson: unknown): RuntimesCatalog {
  const runtimes = (runtimesJson as { runtimes?: unknown })?.runtimes;
  if (typeof runtimes !== 'object' || runtimes === null || Array.isArray(runtimes)) {
    throw new BuilderCatalogError('runtimes.json: no "runtimes" object');
  }
  const found: [string, { kind: string; source: string }][] = [];
  const skipped: string[] = [];
  for (const entries of Object.values(runtimes as Record<string, unknown>)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as RuntimeEntry[]) {
      if (entry?.openserverless?.extendible !== true) continue;
      const id = String(entry.kind ?? '');
      const language = id.split(':')[0];
      const { prefix, name, tag } = entry.image ?? {};
      if (!isRuntimeKind(language)) {
        skipped.push(`${id}: the deployer has no strategy for ${language || 'an empty kind'}`);
        continue;
      }
      if (typeof name !== 'string' || typeof tag !== 'string' || !name || !tag) {
        throw new BuilderCatalogError(`runtimes.json: runtime ${id} has no image name and tag`);
      }
      const source = typeof prefix === 'string' && prefix ? `${prefix}/${name}:${tag}` : `${name}:${tag}`;
      found.push([id, { kind: language, source }]);
    }
  }
  found.sort(([a], [b]) => a.localeCompare(b));
  const document = Object.fromEntries(found);
  BuilderCatalog.parse(document, 'runtimes.json');
  return { document, skipped };
}
