import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * What a registry request means travels in these; everything else a client
 * sends (its own Authorization, cookies, X-Forwarded-*, Expect, hop-by-hop
 * headers) stays behind.
 */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'content-range', 'range', 'if-none-match', 'user-agent'];

/** Hop-by-hop headers, and the upstream's challenges and cookies, which are the proxy's business. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'www-authenticate',
]);

export function upstreamRequestHeaders(headers: IncomingHttpHeaders, authorization: string | undefined): OutgoingHttpHeaders {
  const forwarded: OutgoingHttpHeaders = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = headers[name];
    if (value !== undefined) forwarded[name] = value;
  }
  if (authorization) forwarded.authorization = authorization;
  return forwarded;
}

/** The upstream's headers for the client; a Location on the upstream's own origin becomes a path on the proxy. */
export function proxiedResponseHeaders(headers: IncomingHttpHeaders, upstream: URL): OutgoingHttpHeaders {
  const proxied: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) proxied[name] = value;
  }
  if (typeof headers.location === 'string') proxied.location = proxiedLocation(headers.location, upstream);
  return proxied;
}

/** Redirects elsewhere (blob storage) stay as they are: the client follows them itself, without the proxy's credentials. */
function proxiedLocation(location: string, upstream: URL): string {
  let target: URL;
  try {
    target = new URL(location, upstream);
  } catch {
    return location;
  }
  return target.origin === upstream.origin ? `${target.pathname}${target.search}` : location;
}
