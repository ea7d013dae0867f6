import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import type { RegistryCredentials } from '../registry-credentials.js';
import { RegistryHttpClient } from '../registry-http.client.js';
import { registryOperation, type ForwardedOperation, type RepositoryGrants } from './registry-operation.js';
import { UpstreamAuthorizer } from './upstream-authorizer.js';
import { upstreamRequestHeaders, proxiedResponseHeaders } from './proxied-headers.js';

export interface ScopedRegistryProxyOptions {
  readonly listenHost: string;
  /** 0 picks a free port. */
  readonly listenPort: number;
  /** `host[:port]` of the registry the proxy forwards to. */
  readonly upstream: string;
  /** Talk to the upstream over plain http (in-cluster or loopback registries). */
  readonly plainHttp: boolean;
  /** Used only towards the upstream and its token realm. */
  readonly credentials?: RegistryCredentials;
  readonly grants: RepositoryGrants;
  /** One line per request, never with a credential. */
  readonly log: (line: string) => void;
  /** A socket silent this long, towards the client or the upstream, is closed. */
  readonly idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const HEADERS_TIMEOUT_MS = 30_000;
const AUTH_TIMEOUT_MS = 30_000;
const CLOSE_GRACE_MS = 5_000;

/**
 * A Registry HTTP API v2 front for one build: it answers `/v2/` itself and
 * forwards to the upstream only the reads and writes the build's grants
 * allow, adding the upstream credentials on the way, so whoever reaches the
 * proxy can do no more than the build may. Bodies stream both ways.
 */
export class ScopedRegistryProxy {
  private readonly server: http.Server;
  private readonly upstream: URL;
  private readonly authorizer: UpstreamAuthorizer;
  private readonly agent: http.Agent;
  private readonly idleTimeoutMs: number;

  private constructor(private readonly options: ScopedRegistryProxyOptions) {
    this.upstream = new URL(`${options.plainHttp ? 'http' : 'https'}://${options.upstream}`);
    const named = options.upstream.toLowerCase();
    const sameHost = this.upstream.host === named || `${this.upstream.host}:${options.plainHttp ? 80 : 443}` === named;
    if (!sameHost || this.upstream.pathname !== '/') {
      throw new Error(`the upstream must be host[:port], not ${options.upstream}`);
    }
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.authorizer = new UpstreamAuthorizer(this.upstream, options.credentials, new RegistryHttpClient(AUTH_TIMEOUT_MS));
    this.agent = options.plainHttp ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });
    this.server = http.createServer((request, response) => this.handle(request, response));
    // Layer uploads can take longer than any fixed bound; silence is what ends a request.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.server.setTimeout(this.idleTimeoutMs);
  }

  static async start(options: ScopedRegistryProxyOptions): Promise<ScopedRegistryProxy> {
    const proxy = new ScopedRegistryProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(options.listenPort, options.listenHost, () => {
        proxy.server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** host:port the proxy listens on. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /** Stops accepting, lets running requests end for a short grace, then cuts the rest. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const cut = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(cut);
    this.agent.destroy();
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const started = Date.now();
    const method = request.method ?? '';
    const operation = registryOperation(method, request.url ?? '', this.options.grants);
    let outcome: string = operation.kind === 'denied' ? `denied: ${operation.message}` : operation.kind;
    if (operation.kind === 'forward' && operation.dropped) outcome = `forward without ${operation.dropped}`;
    response.once('close', () => {
      const path = (request.url ?? '').split('?')[0];
      const line = { method, path, status: response.statusCode, outcome, ms: Date.now() - started };
      this.options.log(JSON.stringify(line));
    });
    if (operation.kind === 'denied') {
      // A denied upload is not read: the connection closes instead.
      if (hasBody(request)) response.setHeader('connection', 'close');
      else request.resume();
      return registryError(response, 403, 'DENIED', operation.message);
    }
    if (operation.kind === 'version-check') {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
      return void response.end(method === 'HEAD' ? undefined : '{}');
    }
    this.forward(request, response, operation, true).catch((error: Error) => {
      outcome = `upstream failed: ${error.message}`;
      if (!response.headersSent) registryError(response, 502, 'UNAVAILABLE', 'the upstream registry could not be reached');
      else response.destroy();
    });
  }

  /** Sends the request upstream; a body-less request refused with 401 is retried once with a fresh token. */
  private async forward(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    operation: ForwardedOperation,
    mayRetry: boolean,
  ): Promise<void> {
    const authorization = await this.authorizer.authorization(operation.scopes);
    const withBody = hasBody(request);
    const client = this.options.plainHttp ? http : https;
    return new Promise<void>((resolve, reject) => {
      const outgoing = client.request({
        protocol: this.upstream.protocol,
        hostname: this.upstream.hostname.replace(/^\[|\]$/g, ''),
        port: this.upstream.port || undefined,
        method: request.method,
        path: operation.upstreamPath,
        headers: upstreamRequestHeaders(request.headers, authorization),
        agent: this.agent,
        timeout: this.idleTimeoutMs,
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`upstream silent for ${this.idleTimeoutMs} ms`)));
      outgoing.on('error', reject);
      response.once('close', () => {
        if (!response.writableFinished) outgoing.destroy();
      });
      outgoing.on('response', (incoming) => {
        if (incoming.statusCode === 401) this.authorizer.rejected(operation.scopes, incoming.headers['www-authenticate']);
        if (incoming.statusCode === 401 && mayRetry && !withBody) {
          incoming.resume();
          return resolve(this.forward(request, response, operation, false));
        }
        response.writeHead(incoming.statusCode ?? 502, proxiedResponseHeaders(incoming.headers, this.upstream));
        pipeline(incoming, response, (error) => (error ? reject(error) : resolve()));
      });
      if (withBody) pipeline(request, outgoing, (error) => error && outgoing.destroy(error));
      else {
        request.resume();
        outgoing.end();
      }
    });
  }
}

const hasBody = (request: http.IncomingMessage) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

function registryError(response: http.ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ code, message }] });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
