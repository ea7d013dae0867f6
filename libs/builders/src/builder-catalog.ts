import { parseImageReference } from '#libs/images';
import { RUNTIME_KINDS, type RuntimeKind, isRuntimeKind } from '#libs/runtimes';

/** What a catalog id stands for: the runtime kind and the image it extends. */
export interface Builder {
  id: string;
  kind: RuntimeKind;
  source: string;
}

/** A catalog that cannot be used; the message says which entry and why. */
export class BuilderCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuilderCatalogError';
  }
}

/** The ids clients name, like runtimes.json kinds: `python:3.13`, `nodejs:21`. */
const BUILDER_ID = /^[a-z0-9][a-z0-9._:-]{0,62}$/;

/**
 * The operator's builders: `{"<id>": {"kind", "source"}}` (or the same under
 * `builders`). Validated whole, so a bad entry stops start-up instead of
 * failing one client later.
 */
export class BuilderCatalog {
  private readonly builders: ReadonlyMap<string, Builder>;

  private constructor(builders: Map<string, Builder>) {
    this.builders = builders;
  }

  static empty(): BuilderCatalog {
    return new BuilderCatalog(new Map());
  }

  static parse(document: unknown, origin: string): BuilderCatalog {
    const fail = (problem: string): never => {
      throw new BuilderCatalogError(`${origin}: ${problem}`);
    };
    if (!isObject(document)) return fail('the catalog must be a JSON object');
    const entries = 'builders' in document ? document.builders : document;
    if (!isObject(entries)) return fail('"builders" must be an object');
    const builders = new Map<string, Builder>();
    for (const [id, entry] of Object.entries(entries)) {
      if (!BUILDER_ID.test(id)) fail(`invalid builder id ${JSON.stringify(id)} (lowercase letters, digits and ._:- up to 63)`);
      if (!isObject(entry)) fail(`builder ${id} must be an object with "kind" and "source"`);
      const { kind, source } = entry as Record<string, unknown>;
      if (!isRuntimeKind(kind)) fail(`builder ${id} has kind ${JSON.stringify(kind)}; expected one of ${RUNTIME_KINDS.join(', ')}`);
      if (typeof source !== 'string') return fail(`builder ${id} has no "source" image`);
      try {
        parseImageReference(source, `builder ${id} source`);
      } catch (error) {
        fail((error as Error).message);
      }
      builders.set(id, { id, kind: kind as RuntimeKind, source });
    }
    return new BuilderCatalog(builders);
  }

  get size(): number {
    return this.builders.size;
  }

  get(id: string): Builder | undefined {
    return this.builders.get(id);
  }

  /** What `build/capabilities` lists, sorted by id. */
  list(): Builder[] {
    return [...this.builders.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  hasSource(source: string): boolean {
    for (const builder of this.builders.values()) if (builder.source === source) return true;
    return false;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
