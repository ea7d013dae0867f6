import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';

/** Room for a 512 KiB file in base64 plus the other fields. */
const JSON_LIMIT = '1mb';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

const fail = (res: Response, status: number, message: string) => res.status(status).json({ status: 'ko', message });

/**
 * Parses JSON bodies and answers body errors in the service's error format:
 * Nest's exception filters never see errors raised by express middleware.
 */
export function configureBodyParsing(app: NestExpressApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (req.method === 'POST' && hasBody && !req.is('application/json')) {
      return fail(res, 415, 'Content-Type must be application/json');
    }
    next();
  });
  app.use(express.json({ limit: JSON_LIMIT, strict: true }));
  app.use((error: BodyParserError, _req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') return fail(res, 413, `Request body exceeds ${JSON_LIMIT}`);
    if (error.type === 'entity.parse.failed') return fail(res, 400, 'Request body is not valid JSON');
    if (error.status && error.status >= 400 && error.status < 500) return fail(res, error.status, error.message);
    next(error);
  });
}
