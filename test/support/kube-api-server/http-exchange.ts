import type { IncomingMessage, ServerResponse } from 'node:http';
import { toJson } from './kube-object.js';
import { KubeStatusError, statusErrors } from './kube-status.js';

/** The apiserver refuses request bodies above 3 MiB. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new KubeStatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw statusErrors.badRequest(`couldn't get version/kind; json parse error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function writeJson(response: ServerResponse, code: number, body: unknown, warnings: string[] = [], headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const payload = toJson(body);
  const warningHeaders = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
    ...headers,
    ...(warningHeaders.length ? { Warning: warningHeaders } : {}),
  });
  response.end(payload);
}

export function writeStatusError(response: ServerResponse, error: unknown): number {
  const failure = error instanceof KubeStatusError ? error : statusErrors.internal(error instanceof Error ? error.message : String(error));
  const headers: Record<string, string> = failure.code === 429 ? { 'Retry-After': '1' } : {};
  writeJson(response, failure.code, failure.toStatus(), [], headers);
  return failure.code;
}

export function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? '';
  const match = header.match(/^Bearer\s+(.+)$/i);
  return match?.[1];
}
