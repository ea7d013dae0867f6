/**
 * The distribution reference grammar, as predicates. The Go original writes a
 * separator as `[_.]|__|[-]*`; a run of dashes is written `-+` here because an
 * empty separator is already covered by the alphanumeric run, and the
 * ambiguous form backtracks exponentially in a JavaScript engine.
 */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
// A DNS label: at most 63 characters, so a host that cannot resolve is refused here.
const DOMAIN_COMPONENT = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const REGISTRY_HOST = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`,
);

/** Longest reference the registry accepts for a name; applied to the whole reference. */
export const MAX_REFERENCE_LENGTH = 255;

export function isPathComponent(value: string): boolean {
  return PATH_COMPONENT.test(value);
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** `host[:port]`: the one host grammar of references, user settings and the Operator's annotations. */
export function isRegistryHost(value: string): boolean {
  return value.length <= MAX_REFERENCE_LENGTH && REGISTRY_HOST.test(value);
}

/** A first path component names a registry when it could not be a repository path. */
export function looksLikeRegistryHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}
