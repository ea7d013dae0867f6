import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
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
function refuseDeepNesting(_req: Request, _res: Response, body: Buffer): void {
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
 * Parses JSON bodies and answers body errors in the service's error format:
 * Nest's exception filters never see errors raised by express middleware.
 */
export function configureBodyParsing(app: NestExpressApplication): void {
  const logger = new Logger('HTTP');
  let deepBodyLogged = false;
  app.use((req: Request, res: Response, next: NextFunction) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (req.method === 'POST' && hasBody && !req.is('application/json')) {
      return sendError(res, 415, 'Content-Type must be application/json');
    }
    next();
  });
  app.use(express.json({ limit: JSON_LIMIT, strict: true, verify: refuseDeepNesting }));
  app.use((error: BodyParserError, _req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') return sendError(res, 413, `Request body exceeds ${JSON_LIMIT}`);
    if (error.type === 'entity.parse.failed') return sendError(res, 400, 'Request body is not valid JSON');
    if (error.type === 'entity.too.deep' && !deepBodyLogged) {
      // Once per process: a client sending these sends many, and each is already answered.
      deepBodyLogged = true;
      logger.warn(`Refused a JSON body nested deeper than ${MAX_JSON_DEPTH} levels (later ones are not logged)`);
    }
    if (error.status && error.status >= 400 && error.status < 500) return sendError(res, error.status, error.message);
    next(error);
  });
}
