/** The repositories one build may read (pull) and write (push, which includes reading). */
export interface RepositoryGrants {
  readonly pull: ReadonlySet<string>;
  readonly push: ReadonlySet<string>;
}

/** A request the proxy forwards: the path it sends upstream and the token scopes it needs. */
export interface ForwardedOperation {
  readonly kind: 'forward';
  readonly repository: string;
  /** Path and query exactly as sent upstream: only the parameters the proxy understood. */
  readonly upstreamPath: string;
  /** `repository:<name>:<actions>` scopes of the registry token protocol. */
  readonly scopes: readonly string[];
  /** What of the request the proxy left out, for its log. */
  readonly dropped?: string;
}

export type RegistryOperation =
  | { readonly kind: 'version-check' }
  | ForwardedOperation
  | { readonly kind: 'denied'; readonly message: string };

// The distribution reference grammar, as it appears in URL paths (no domain).
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `${COMPONENT}(?:/${COMPONENT})*`;
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+';
const SESSION = '[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,255}';
const MAX_NAME = 255;

const NAME_PATTERN = new RegExp(`^${NAME}$`);
const DIGEST_PATTERN = new RegExp(`^${DIGEST}$`);
const ROUTE = new RegExp(
  `^/v2/(${NAME})/(?:manifests/(${TAG}|${DIGEST})|blobs/uploads/(${SESSION})?|blobs/(${DIGEST})|tags/(list))$`,
);

export const isRepositoryName = (name: string) => name.length <= MAX_NAME && NAME_PATTERN.test(name);

const denied = (message: string): RegistryOperation => ({ kind: 'denied', message });
const readScope = (repository: string) => `repository:${repository}:pull`;
const writeScope = (repository: string) => `repository:${repository}:pull,push`;

/**
 * What a client request is, judged on the raw path it sent: no decoding, so
 * the registry sees exactly the path that was judged, and a request the
 * proxy cannot name precisely is denied rather than guessed at.
 */
export function registryOperation(method: string, rawUrl: string, grants: RepositoryGrants): RegistryOperation {
  const question = rawUrl.indexOf('?');
  const path = question < 0 ? rawUrl : rawUrl.slice(0, question);
  const query = new URLSearchParams(question < 0 ? '' : rawUrl.slice(question + 1));
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/v2/' || path === '/v2') return read ? { kind: 'version-check' } : denied(`${method} ${path} is not allowed`);
  if (/[%\\]|\/\.{1,2}(?:\/|$)/.test(path)) return denied('encoded or relative paths are not allowed');
  const route = ROUTE.exec(path);
  if (!route || route[1].length > MAX_NAME) return denied(`${path} is not a registry operation this proxy forwards`);
  const [, repository, reference, session, blob, tags] = route;
  const readable = grants.pull.has(repository) || grants.push.has(repository);
  const writable = grants.push.has(repository);
  const forward = (scopes: string[], keep: Record<string, string> = {}): ForwardedOperation => {
    const parameters = new URLSearchParams(keep).toString();
    return { kind: 'forward', repository, upstreamPath: parameters ? `${path}?${parameters}` : path, scopes };
  };
  const only = (names: string[]) => {
    const kept: Record<string, string> = {};
    for (const name of names) {
      const value = query.get(name);
      if (value !== null) kept[name] = value;
    }
    return kept;
  };

  if (read && (reference !== undefined || blob !== undefined || tags !== undefined)) {
    if (!readable) return denied(`${repository} may not be read by this build`);
    return forward([readScope(repository)], tags !== undefined ? only(['n', 'last']) : {});
  }
  const upload = session !== undefined || path.endsWith('/blobs/uploads/');
  const writing =
    (method === 'PUT' && reference !== undefined) ||
    (method === 'POST' && upload && session === undefined) ||
    (['GET', 'PATCH', 'PUT', 'DELETE'].includes(method) && session !== undefined);
  if (!writing) return denied(`${method} ${path} is not allowed`);
  if (!writable) return denied(`${repository} may not be written by this build`);
  if (reference !== undefined) return forward([writeScope(repository)]);
  if (session !== undefined) return forward([writeScope(repository)], only(['_state', 'digest']));
  return openUpload(repository, query, grants, forward);
}

/** POST …/blobs/uploads/: a monolithic `digest`, and a cross-repository mount only from a repository this build may read. */
function openUpload(
  repository: string,
  query: URLSearchParams,
  grants: RepositoryGrants,
  forward: (scopes: string[], keep: Record<string, string>) => ForwardedOperation,
): RegistryOperation {
  const kept: Record<string, string> = {};
  const digest = query.get('digest');
  if (digest !== null && DIGEST_PATTERN.test(digest)) kept.digest = digest;
  const scopes = [writeScope(repository)];
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount !== null && from !== null && DIGEST_PATTERN.test(mount) && (grants.pull.has(from) || grants.push.has(from))) {
    kept.mount = mount;
    kept.from = from;
    if (from !== repository) scopes.push(readScope(from));
  } else if (mount !== null || from !== null) {
    return { ...forward(scopes, kept), dropped: `the mount from ${JSON.stringify(from ?? '')}` };
  }
  return forward(scopes, kept);
}
