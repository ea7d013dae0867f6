import type { Duplex } from 'node:stream';
import { errorBody } from './error-body.js';

const answer = (status: number, reason: string, message: string) => {
  const body = JSON.stringify(errorBody(message));
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
};

/**
 * Requests Node's HTTP parser refuses (bad framing, oversized headers) never
 * reach the application; they get the service's JSON error format too
 * (Fastify's `clientErrorHandler`, in place of its own answer).
 */
export function answerClientErrorInJson(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  socket.end(
    error.code === 'HPE_HEADER_OVERFLOW'
      ? answer(431, 'Request Header Fields Too Large', 'Request headers are too large')
      : answer(400, 'Bad Request', 'Malformed HTTP request'),
  );
}
