import { readFileSync } from 'node:fs';
import { DeployerEnvironment } from '#libs/config';
import { BuilderCatalog, BuilderCatalogError } from './builder-catalog.js';

const DEFAULT_FILE = new DeployerEnvironment().BUILDER_CATALOG_FILE;

/**
 * BUILDER_CATALOG_JSON when set, else BUILDER_CATALOG_FILE. Only the default
 * file may be missing (an install without a catalog serves no ensure builds);
 * a file the operator named must exist.
 */
export function loadBuilderCatalog(config: DeployerEnvironment): BuilderCatalog {
  if (config.BUILDER_CATALOG_JSON?.trim()) {
    return BuilderCatalog.parse(parseJson(config.BUILDER_CATALOG_JSON, 'BUILDER_CATALOG_JSON'), 'BUILDER_CATALOG_JSON');
  }
  const path = config.BUILDER_CATALOG_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && path === DEFAULT_FILE) return BuilderCatalog.empty();
    throw new BuilderCatalogError(`BUILDER_CATALOG_FILE=${path}: cannot read it (${(error as Error).message})`);
  }
  return BuilderCatalog.parse(parseJson(text, `BUILDER_CATALOG_FILE=${path}`), `BUILDER_CATALOG_FILE=${path}`);
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BuilderCatalogError(`${origin}: not valid JSON (${(error as Error).message})`);
  }
}
