import { InvalidInputError } from '#libs/errors';
import { messageExcerpt } from './message-excerpt.js';
import {
  MAX_REFERENCE_LENGTH,
  isDigest,
  isPathComponent,
  isRegistryHost,
  isTag,
  looksLikeRegistryHost,
} from './reference-grammar.js';

/** A parsed `[registry/]repository[:tag][@sha256:digest]`. */
export interface ImageReference {
  /** Host with optional port, e.g. `registry.example.com:5000`; absent for the default registry. */
  readonly registry?: string;
  /** Slash-separated path, e.g. `apache/openserverless-runtime-python`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

/**
 * Parses an image reference following the distribution reference grammar.
 * `field` names the request field in error messages ("source", "image", ...).
 */
export function parseImageReference(ref: string, field = 'source'): ImageReference {
  const fail = (problem: string): never => {
    throw new InvalidInputError(
      `Invalid ${field} image reference ${messageExcerpt(String(ref))}: ${problem}.`,
      'InvalidImageReference',
    );
  };
  if (typeof ref !== 'string' || ref.length === 0) return fail('it is empty');
  if (ref.length > MAX_REFERENCE_LENGTH) return fail(`it is longer than ${MAX_REFERENCE_LENGTH} characters`);
  if (/[^\x21-\x7e]/.test(ref)) return fail('it contains whitespace, control or non-ASCII characters');

  const [nameAndTag, digest, ...extraDigests] = ref.split('@');
  if (extraDigests.length > 0) return fail("it contains more than one '@'");
  if (digest !== undefined && !isDigest(digest)) return fail('the digest must be sha256: followed by 64 lowercase hex digits');

  const lastSlash = nameAndTag.lastIndexOf('/');
  const tagColon = nameAndTag.indexOf(':', lastSlash + 1);
  const name = tagColon < 0 ? nameAndTag : nameAndTag.slice(0, tagColon);
  const tag = tagColon < 0 ? undefined : nameAndTag.slice(tagColon + 1);
  if (tag !== undefined && !isTag(tag)) {
    return fail('the tag must be 1 to 128 of letters, digits, "_", "." or "-", not starting with "." or "-"');
  }

  const components = name.split('/');
  const registry = components.length > 1 && looksLikeRegistryHost(components[0]) ? components.shift() : undefined;
  if (registry !== undefined && !isRegistryHost(registry)) return fail('the registry host is not a valid host[:port]');
  if (!components.every(isPathComponent)) {
    return fail(
      'each repository path component must be lowercase letters and digits, separated by ".", "_", "__" or dashes',
    );
  }

  return { registry, repository: components.join('/'), tag, digest };
}

export function formatImageReference(ref: ImageReference): string {
  const registry = ref.registry === undefined ? '' : `${ref.registry}/`;
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${registry}${ref.repository}${tag}${digest}`;
}
