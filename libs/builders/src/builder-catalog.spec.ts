import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '#libs/config';
import { BuilderCatalog, BuilderCatalogError } from './builder-catalog.js';
import { loadBuilderCatalog } from './builder-catalog.loader.js';
import { catalogFromRuntimes } from './runtimes-catalog.js';

const python = { kind: 'python', source: 'apache/openserverless-runtime-python:v3.13-2506091954' };

describe('BuilderCatalog', () => {
  it('lists builders sorted by id, bare or under "builders"', () => {
    const catalog = BuilderCatalog.parse({ 'python:3.13': python, 'nodejs:21': { kind: 'nodejs', source: 'apache/openserverless-runtime-nodejs:v21' } }, 'test');
    expect(catalog.list().map((b) => [b.id, b.kind])).toEqual([['nodejs:21', 'nodejs'], ['python:3.13', 'python']]);
    expect(BuilderCatalog.parse({ builders: { 'python:3.13': python } }, 'test').get('python:3.13')).toEqual({ id: 'python:3.13', ...python });
    expect(catalog.hasSource(python.source)).toBe(true);
    expect(catalog.hasSource('evil/image:1')).toBe(false);
  });

  it.each([
    [[], /JSON object/],
    [{ 'Python:3': python }, /invalid builder id "Python:3"/],
    [{ 'rust:1': { kind: 'rust', source: 'openwhisk/action-rust-v1.34:nightly' } }, /builder rust:1 has kind "rust"/],
    [{ 'python:3': { kind: 'python' } }, /builder python:3 has no "source"/],
    [{ 'python:3': { kind: 'python', source: 'UPPER/case image' } }, /builder python:3 source/],
    [{ 'python:3': 'apache/x:1' }, /must be an object/],
  ])('refuses %j naming the problem', (document, problem) => {
    expect(() => BuilderCatalog.parse(document, 'BUILDER_CATALOG_JSON')).toThrow(BuilderCatalogError);
    expect(() => BuilderCatalog.parse(document, 'BUILDER_CATALOG_JSON')).toThrow(problem);
  });
});

describe('loadBuilderCatalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));

  it('reads BUILDER_CATALOG_JSON before the file', () => {
    const catalog = loadBuilderCatalog(loadConfig({ BUILDER_CATALOG_JSON: JSON.stringify({ 'python:3.13': python }), BUILDER_CATALOG_FILE: join(dir, 'none.json') }));
    expect(catalog.get('python:3.13')?.source).toBe(python.source);
  });

  it('reads BUILDER_CATALOG_FILE and names it when it is bad or missing', () => {
    const good = join(dir, 'builders.json');
    writeFileSync(good, JSON.stringify({ 'python:3.13': python }));
    expect(loadBuilderCatalog(loadConfig({ BUILDER_CATALOG_FILE: good })).size).toBe(1);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"python:3.13": ');
    expect(() => loadBuilderCatalog(loadConfig({ BUILDER_CATALOG_FILE: bad }))).toThrow(/BUILDER_CATALOG_FILE=.*bad\.json: not valid JSON/);
    expect(() => loadBuilderCatalog(loadConfig({ BUILDER_CATALOG_FILE: join(dir, 'missing.json') }))).toThrow(/BUILDER_CATALOG_FILE=.*missing\.json: cannot read/);
    expect(() => loadBuilderCatalog(loadConfig({ BUILDER_CATALOG_JSON: 'nope' }))).toThrow(/BUILDER_CATALOG_JSON: not valid JSON/);
  });
});

describe('catalogFromRuntimes', () => {
  const runtime = (kind: string, prefix: string, name: string, tag: string, extendible?: boolean) => ({
    kind,
    default: false,
    image: { prefix, name, tag },
    ...(extendible === undefined ? {} : { openserverless: { extendible } }),
  });

  it('takes the extendible runtimes: kind as id, language as kind, prefix/name:tag as source', () => {
    const { document, skipped } = catalogFromRuntimes({
      runtimes: {
        python: [runtime('python:3.13', 'apache', 'openserverless-runtime-python', 'v3.13-2506091954', true), runtime('python:3.11', 'apache', 'openserverless-runtime-python', 'v3.11', false)],
        nodejs: [runtime('nodejs:21', 'apache', 'openserverless-runtime-nodejs', 'v21-2409142109', true), runtime('nodejs:20', 'apache', 'openserverless-runtime-nodejs', 'v20')],
        go: [runtime('go:1.20mf', 'ghcr.io/nuvolaris', 'go-nuvolaris-metaflow', 'bc86ab6', true)],
        rust: [runtime('rust:1.34', 'openwhisk', 'action-rust-v1.34', 'nightly', true)],
      },
      blackboxes: [{ prefix: 'openwhisk', name: 'dockerskeleton', tag: 'nightly' }],
    });
    expect(document).toEqual({
      'go:1.20mf': { kind: 'go', source: 'ghcr.io/nuvolaris/go-nuvolaris-metaflow:bc86ab6' },
      'nodejs:21': { kind: 'nodejs', source: 'apache/openserverless-runtime-nodejs:v21-2409142109' },
      'python:3.13': { kind: 'python', source: 'apache/openserverless-runtime-python:v3.13-2506091954' },
    });
    expect(Object.keys(document)).toEqual(['go:1.20mf', 'nodejs:21', 'python:3.13']);
    expect(skipped).toEqual([expect.stringMatching(/^rust:1\.34: the deployer has no strategy for rust/)]);
  });

  it('refuses a file without runtimes', () => {
    expect(() => catalogFromRuntimes({ description: [] })).toThrow(/no "runtimes" object/);
  });
});
