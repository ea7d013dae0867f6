import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

const ACCEPTED = /^[A-Za-z0-9._-]{1,64}$/;
type WithRequestId = Request & { requestId?: string };

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, a new
 * one otherwise), echoed in the answer and kept in the build's record, so a
 * build can be traced from the request that started it.
 */
export function requestIdMiddleware(req: WithRequestId, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  req.requestId = typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', req.requestId);
  next();
}

export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<WithRequestId>().requestId ?? '',
);
