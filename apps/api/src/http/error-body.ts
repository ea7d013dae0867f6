import type { Response } from 'express';

/** The error wire format, `{"status":"ko","message":…}`: every error answer of the service is this body. */
export const errorBody = (message: string) => ({ status: 'ko' as const, message });

/** Answers an error from code that runs outside Nest's filters (express middleware). */
export function sendError(res: Response, status: number, message: string, headers: Record<string, string> = {}): Response {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  return res.status(status).json(errorBody(message));
}
