import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/** What a hostile registry received: enough to prove what the deployer sent it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization?: string;
}

/** Answers a request; `self` is the server's own `127.0.0.1:<port>`. */
export type HostileBehaviour = (request: http.IncomingMessage, response: http.ServerResponse, self: string) => void;

export interface HostileRegistry {
  /** `127.0.0.1:<port>`, as a REGISTRY_HOST names it. */
  host: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A registry that lies, on loopback only: each test gives it a behaviour
 * (self-referencing indexes, endless pages, links to other hosts) and reads
 * back every request it got.
 */
export async function startHostileRegistry(behaviour: HostileBehaviour): Promise<HostileRegistry> {
  const received: ReceivedRequest[] = [];
  let self = '';
  const server = http.createServer((request, response) => {
    received.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization });
    behaviour(request, response, self);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host: self,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export const json = (response: http.ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(200, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

/** An image index with one entry: `digest`. */
export const indexOf = (digest: string) => ({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest, platform: { os: 'linux', architecture: 'amd64' } }],
});
