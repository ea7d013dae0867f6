import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hash } from 'node:crypto';
import { Readable } from 'node:stream';

/** A weak tag of the body's length in bytes and its SHA-1, the form the service has always sent. */
function weakEntityTag(body: string | Buffer): string {
  const digest = hash('sha1', body, 'base64').substring(0, 27);
  return `W/"${Buffer.byteLength(body).toString(16)}-${digest}"`;
}

const NO_CACHE = /(?:^|,)\s*?no-cache\s*?(?:,|$)/;

/** Whether the client's copy, named by If-None-Match (or dated by If-Modified-Since), is still the answer. */
function isFresh(request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const status = reply.statusCode;
  if (!((status >= 200 && status < 300) || status === 304)) return false;
  const modifiedSince = request.headers['if-modified-since'];
  const noneMatch = request.headers['if-none-match'];
  if (!modifiedSince && !noneMatch) return false;
  const cacheControl = request.headers['cache-control'];
  if (cacheControl && NO_CACHE.test(cacheControl)) return false;
  if (noneMatch) {
    if (noneMatch === '*') return true;
    return noneMatch.split(',').some((entry) => {
      const match = entry.trim();
      return match === tag || match === `W/${tag}` || `W/${match}` === tag;
    });
  }
  const lastModified = reply.getHeader('last-modified');
  return typeof lastModified === 'string' && Date.parse(lastModified) <= Date.parse(String(modifiedSince));
}

/** Ends a 304 without a body or Content-Length; a HEAD route measures any payload but a stream. */
const noBody = (request: FastifyRequest) => (request.method === 'HEAD' ? Readable.from([]) : null);

/**
 * What every body sent whole carries, as the service has always sent it: a
 * text type says it is UTF-8, and an ETag, with a 304 to a GET or HEAD whose
 * If-None-Match names it. Streams (the log follow, static files) are left as
 * they are.
 */
export function describeWholeBodies(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
    const type = reply.getHeader('content-type');
    if (typeof payload === 'string' && typeof type === 'string' && !/;\s*charset=/i.test(type)) reply.header('content-type', `${type}; charset=utf-8`);
    if (reply.hasHeader('etag')) return done(null, payload);
    const tag = weakEntityTag(payload);
    reply.header('etag', tag);
    if (!isFresh(request, reply, tag)) return done(null, payload);
    reply.code(304).removeHeader('content-type').removeHeader('content-length').removeHeader('transfer-encoding');
    done(null, noBody(request));
  });
}
