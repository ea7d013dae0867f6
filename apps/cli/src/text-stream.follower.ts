import { IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiError } from './api-error.js';

/**
 * GETs a text stream line by line. node:http rather than fetch: fetch cuts a
 * body that stays silent for five minutes, and a build may well be that quiet.
 * Resolves `complete: false` when the stream is cut before its end, so the
 * caller can tell a finished log from a broken connection.
 */
export function followTextStream(
  url: URL,
  headers: Record<string, string>,
  onLine: (line: string) => void,
): Promise<{ complete: boolean }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', headers }, (response: IncomingMessage) => {
      if (response.statusCode !== 200) {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk.slice(0, 2_000)));
        response.on('end', () => reject(new ApiError(response.statusCode ?? 0, errorMessage(body, response.statusCode))));
        response.on('error', reject);
        return;
      }
      let pending = '';
      let settled = false;
      const settle = (complete: boolean) => {
        if (settled) return;
        settled = true;
        resolve({ complete });
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const parts = (pending + chunk).split('\n');
        pending = parts.pop() ?? '';
        for (const part of parts) onLine(part);
      });
      response.on('end', () => settle(response.complete));
      response.on('aborted', () => settle(false));
      response.on('error', () => settle(false));
      response.on('close', () => settle(response.complete));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function errorMessage(body: string, status: number | undefined): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${status ?? 0}`;
}
