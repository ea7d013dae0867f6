import { createServer } from 'node:http';

/**
 * The yardstick of the accept path: plain Node http answering a fixed JSON
 * once the request body has been read, run as its own process like the API.
 */
const payload = JSON.stringify({ status: 'ok', message: 'fixed' });
createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(payload));
}).listen(Number(process.env.LISTEN_PORT), process.env.LISTEN_HOST ?? '127.0.0.1');
