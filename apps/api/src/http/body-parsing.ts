import { Logger } from '@nestjs/common';
import bodyParser from 'body-parser';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import typeIs from 'type-is';
import { sendError } from './error-body.js';

/** Room for a 512 KiB file in base64 plus the other fields. */
const JSON_LIMIT = '1mb';
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
function refuseDeepNesting(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
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
 * Parses JSON bodies, of any method and whether a route matches or not,
 * before the routes run, and answers body errors in the service's error
 * format. Fastify's own body handling is off (every method is bodyless to
 * it): it would refuse other content types, or odd ones, on any method.
 */
export function configureBodyParsing(fastify: FastifyInstance): void {
  for (const method of fastify.supportedMethods) fastify.addHttpMethod(method, { hasBody: false, overrideExisting: true });
  const parseJson = bodyParser.json({ limit: JSON_LIMIT, strict: true, verify: refuseDeepNesting });
  const logger = new Logger('HTTP');
  let deepBodyLogged = false;
  fastify.addHook('onRequest', (request, reply, done) => {
    const req = request.raw as IncomingMessage & { body?: unknown };
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (req.method === 'POST' && hasBody && !typeIs(req, ['application/json'])) {
      sendError(reply, 415, 'Content-Type must be application/json');
      return;
    }
    parseJson(req, reply.raw, (error?: BodyParserError) => {
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
    });
  });
}
