import { createServer } from 'node:http';

/**
 * The yardstick of the accept path: plain Node http answering a fixed JSON
 * once the request body has been read, run as its own process like the API.
 */
const payload = JSON.stringify({ status: 'ok', message: 'fixed' });
// With its length, as the API's answers carry theirs (not chunked).
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, headers).end(payload));
}).listen(Number(process.env.LISTEN_PORT), process.env.LISTEN_HOST ?? '127.0.0.1');
