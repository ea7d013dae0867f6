import { execFileSync } from 'node:child_process';
import { createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVICE = 'deployer-test-registry';
const ISSUER = 'deployer-test-token-issuer';
const LIFETIME_S = 300;

/** One token request as the issuer saw it. */
export interface TokenRequest {
  readonly scopes: string[];
  /** Whether it carried the account's basic credentials. */
  readonly authenticated: boolean;
}

export interface TokenIssuer {
  /** The `auth.token` section of a docker-registry configuration that trusts this issuer. */
  readonly registryAuth: Record<string, unknown>;
  readonly requests: TokenRequest[];
  /** A token for these scopes, as the issuer would give the account (to seed and inspect the registry). */
  mint(scopes: string[]): string;
  close(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** `repository:a/b:pull,push` → the `access` claim entry the registry checks. */
function access(scope: string) {
  const [type, ...rest] = scope.split(':');
  const actions = rest.pop() ?? '';
  return { type, name: rest.join(':'), actions: actions.split(',').filter(Boolean) };
}

/**
 * The token server of the registry token protocol, on loopback: it checks
 * one account's basic credentials and signs JWTs (RS256, with its
 * self-signed certificate in `x5c`) granting what was asked; the registry
 * in front, a real docker-registry, verifies them against that certificate.
 */
export async function startTokenIssuer(account: { user: string; password: string }): Promise<TokenIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'deployer-token-issuer-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${ISSUER}`],
    ...['-keyout', keyFile, '-out', certFile],
  ], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyFile));
  const certificate = new X509Certificate(readFileSync(certFile));
  const expected = `Basic ${Buffer.from(`${account.user}:${account.password}`).toString('base64')}`;
  const requests: TokenRequest[] = [];

  const mint = (scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certificate.raw.toString('base64')] };
    const claims = {
      iss: ISSUER,
      sub: account.user,
      aud: SERVICE,
      iat: now,
      nbf: now - 10,
      exp: now + LIFETIME_S,
      jti: randomBytes(8).toString('hex'),
      access: scopes.map(access),
    };
    const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${signed}.${base64url(createSign('RSA-SHA256').update(signed).sign(key))}`;
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://issuer');
    const authenticated = request.headers.authorization === expected;
    const scopes = url.searchParams.getAll('scope');
    requests.push({ scopes, authenticated });
    if (url.pathname !== '/token' || !authenticated || url.searchParams.get('service') !== SERVICE) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"no"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token: mint(scopes), expires_in: LIFETIME_S, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return {
    registryAuth: { token: { realm, service: SERVICE, issuer: ISSUER, rootcertbundle: certFile } },
    requests,
    mint,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
