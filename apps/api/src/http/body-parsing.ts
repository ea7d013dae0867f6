import { Logger } from '@nestjs/common';
import bodyParser from 'body-parser';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import typeIs from 'type-is';
import { sendError } from './error-body.js';

/** Room for a 512 KiB file in base64 plus the other fields; named as the 413 answer says it. */
const JSON_LIMIT = '1mb';
const JSON_LIMIT_BYTES = 1024 * 1024;
/** `application/json`, bare or saying UTF-8: what nearly every client sends. */
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** Our bodies are flat; deep nesting only serves to exhaust the validators' recursion. */
export const MAX_JSON_DEPTH = 32;

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/** Index of the quote that ends the string opened before `from` (a quote after an odd run of backslashes is escaped). */
function endOfString(body: Buffer, from: number): number {
  for (let quote = body.indexOf(0x22, from); quote >= 0; quote = body.indexOf(0x22, quote + 1)) {
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return body.length;
}

/** Throws a 400 when the raw JSON nests deeper than MAX_JSON_DEPTH, before anything parses it. */
function refuseDeepNesting(body: Buffer): void {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    // Strings skipped in one search: the base64 file, most of a body, costs no per-byte loop.
    if (byte === 0x22) i = endOfString(body, i + 1);
    else if (OPEN.has(byte) && ++depth > MAX_JSON_DEPTH) {
      throw Object.assign(new Error(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
    } else if (CLOSE.has(byte)) depth--;
  }
}

/**
 * Whether the body is plain UTF-8 JSON of a declared length within the limit,
 * sent as it is (no transfer or content encoding): the body is then read and
 * parsed here, as body-parser would, without its layers (type matching,
 * charset decoding, stream plumbing), which cost a fair share of an accepted
 * build's CPU. Every other body goes through body-parser.
 */
export function isPlainJson(req: Pick<IncomingMessage, 'headers'>): boolean {
  const { headers } = req;
  const type = headers['content-type'];
  const length = headers['content-length'];
  if (type === undefined || length === undefined || headers['transfer-encoding'] !== undefined) return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const bytes = Number(length);
  return Number.isInteger(bytes) && bytes >= 0 && bytes <= JSON_LIMIT_BYTES && PLAIN_JSON.test(type);
}

/**
 * A strict JSON body, in body-parser's order: the depth check on the raw
 * bytes, then an empty body is an empty object, then only an object or an
 * array is taken.
 */
function parseStrictJson(body: Buffer): unknown {
  refuseDeepNesting(body);
  // A UTF-8 byte order mark is dropped, as body-parser's decoding drops it.
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  if (start === body.length) return {};
  let first = start;
  while (first < body.length && WHITESPACE.has(body[first])) first++;
  if (!OPEN.has(body[first])) throw Object.assign(new SyntaxError('not an object or an array'), { status: 400, type: 'entity.parse.failed' });
  try {
    return JSON.parse(body.toString('utf8', start));
  } catch (error) {
    throw Object.assign(error as Error, { status: 400, type: 'entity.parse.failed' });
  }
}

/** Reads and parses a plain JSON body (see isPlainJson); its errors are body-parser's. */
function readPlainJson(req: IncomingMessage & { body?: unknown }, next: (error?: BodyParserError) => void): void {
  const expected = Number(req.headers['content-length']);
  if (expected === 0) {
    req.body = {};
    return next();
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const finish = (error?: BodyParserError) => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    req.off('error', onError);
    next(error);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= expected) chunks.push(chunk);
  };
  const onEnd = () => {
    if (received !== expected) return finish(Object.assign(new Error('request size did not match content length'), { status: 400, type: 'request.size.invalid' }));
    try {
      req.body = parseStrictJson(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    } catch (error) {
      return finish(error as BodyParserError);
    }
    finish();
  };
  const onAborted = () => finish(Object.assign(new Error('request aborted'), { status: 400, type: 'request.aborted' }));
  const onError = (error: Error) => finish(Object.assign(error, { status: 400 }));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('error', onError);
}

/**
 * Parses JSON bodies, of any method and whether a route matches or not,
 * before the routes run, and answers body errors in the service's error
 * format. Fastify's own body handling is off (every method is bodyless to
 * it): it would refuse other content types, or odd ones, on any method.
 */
export function configureBodyParsing(fastify: FastifyInstance): void {
  for (const method of fastify.supportedMethods) fastify.addHttpMethod(method, { hasBody: false, overrideExisting: true });
  const parseJson = bodyParser.json({ limit: JSON_LIMIT_BYTES, strict: true, verify: (_req, _res, body) => refuseDeepNesting(body) });
  const logger = new Logger('HTTP');
  let deepBodyLogged = false;
  fastify.addHook('onRequest', (request, reply, done) => {
    const req = request.raw as IncomingMessage & { body?: unknown };
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const plain = isPlainJson(req);
    if (!plain && req.method === 'POST' && hasBody && !typeIs(req, ['application/json'])) {
      sendError(reply, 415, 'Content-Type must be application/json');
      return;
    }
    const parsed = (error?: BodyParserError) => {
      if (!error) {
        request.body = req.body;
        return done();
      }
      if (error.type === 'entity.too.large') return sendError(reply, 413, `Request body exceeds ${JSON_LIMIT}`);
      if (error.type === 'entity.parse.failed') return sendError(reply, 400, 'Request body is not valid JSON');
      if (error.type === 'entity.too.deep' && !deepBodyLogged) {
        // Once per process: a client sending these sends many, and each is already answered.
        deepBodyLogged = true;
        logger.warn(`Refused a JSON body nested deeper than ${MAX_JSON_DEPTH} levels (later ones are not logged)`);
      }
      if (error.status && error.status >= 400 && error.status < 500) return sendError(reply, error.status, error.message);
      done(error);
    };
    if (plain) readPlainJson(req, parsed);
    else parseJson(req, reply.raw, parsed);
  });
}
