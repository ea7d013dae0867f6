import { bearerChallenge } from '../bearer-challenge.js';
import { basicAuthorization, type RegistryCredentials } from '../registry-credentials.js';
import type { RegistryHttpClient } from '../registry-http.client.js';

type Scheme = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; realm: URL; service?: string };

const MAX_TOKENS = 256;
/** The token protocol's default lifetime when a token server names none. */
const DEFAULT_LIFETIME_S = 60;
const EXPIRY_MARGIN_S = 10;

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;
export const isLoopbackHost = (hostname: string) => LOOPBACK.test(hostname);

/**
 * The Authorization header for each upstream request. The scheme is learnt
 * once from the upstream's own `/v2/` challenge; Bearer tokens are asked for
 * the scopes the proxy computed (never a scope a challenge suggests), kept per
 * scope until shortly before they expire. Credentials go only to the upstream
 * and to its realm, and to a realm only over https, unless upstream and realm
 * are both plain-http loopback servers.
 */
export class UpstreamAuthorizer {
  private scheme: Promise<Scheme> | null = null;
  private readonly tokens = new Map<string, { token: string; until: number }>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly upstream: URL,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly http: RegistryHttpClient,
  ) {}

  /** The header for a request needing these scopes, or undefined when the upstream wants none. */
  async authorization(scopes: readonly string[]): Promise<string | undefined> {
    const scheme = await this.learnScheme();
    if (scheme.kind === 'none') return undefined;
    if (scheme.kind === 'basic') return this.credentials ? basicAuthorization(this.credentials) : undefined;
    return `Bearer ${await this.token(scheme, scopes)}`;
  }

  /** After a 401: forget the token of these scopes, and re-learn the scheme if the challenge changed it. */
  rejected(scopes: readonly string[], challenge: string | undefined): void {
    this.tokens.delete(scopeKey(scopes));
    void this.scheme?.then((scheme) => {
      const bearer = bearerChallenge(challenge) !== null;
      if (bearer !== (scheme.kind === 'bearer')) this.scheme = null;
    });
  }

  private learnScheme(): Promise<Scheme> {
    this.scheme ??= this.probe().catch((error: Error) => {
      this.scheme = null;
      throw error;
    });
    return this.scheme;
  }

  private async probe(): Promise<Scheme> {
    const answer = await this.http.request(new URL('/v2/', this.upstream), 'GET', {});
    if (answer.status !== 401) return { kind: 'none' };
    const challenge = answer.header('www-authenticate');
    const bearer = bearerChallenge(challenge);
    if (!bearer) return { kind: 'basic' };
    let realm: URL;
    try {
      realm = new URL(bearer.realm);
    } catch {
      throw new Error('the upstream named a token realm that is not a URL');
    }
    const plainLoopback = this.upstream.protocol === 'http:' && isLoopbackHost(this.upstream.hostname) && isLoopbackHost(realm.hostname);
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && plainLoopback)) {
      throw new Error(`the upstream's token realm ${realm.origin} is not https`);
    }
    return { kind: 'bearer', realm, service: bearer.service };
  }

  private async token(scheme: Extract<Scheme, { kind: 'bearer' }>, scopes: readonly string[]): Promise<string> {
    const key = scopeKey(scopes);
    const known = this.tokens.get(key);
    if (known && known.until > Date.now()) return known.token;
    let asking = this.pending.get(key);
    if (!asking) {
      asking = this.fetchToken(scheme, scopes, key).finally(() => this.pending.delete(key));
      this.pending.set(key, asking);
    }
    return asking;
  }

  private async fetchToken(scheme: Extract<Scheme, { kind: 'bearer' }>, scopes: readonly string[], key: string): Promise<string> {
    const url = new URL(scheme.realm);
    if (scheme.service) url.searchParams.set('service', scheme.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (this.credentials) {
      url.searchParams.set('account', this.credentials.username);
      headers.authorization = basicAuthorization(this.credentials);
    }
    const answer = await this.http.request(url, 'GET', headers);
    if (!answer.ok) throw new Error(`the token realm ${url.origin} answered ${answer.status}`);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = answer.json();
    } catch {
      throw new Error(`the token realm ${url.origin} answered no JSON`);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') throw new Error(`the token realm ${url.origin} answered no token`);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S;
    if (this.tokens.size >= MAX_TOKENS) this.tokens.clear();
    this.tokens.set(key, { token, until: Date.now() + Math.max(lifetime - EXPIRY_MARGIN_S, 1) * 1000 });
    return token;
  }
}

const scopeKey = (scopes: readonly string[]) => [...scopes].sort().join(' ');
