import { bearerChallenge } from './bearer-challenge.js';
import type { RegistryHttpClient } from './registry-http.client.js';

const MAX_TOKENS = 1_000;
const DEFAULT_LIFETIME_S = 60;

/**
 * Anonymous pull tokens of the registry token protocol, kept until they
 * expire. No credential ever goes to the token server, and only an https
 * realm (or the registry's own origin) is asked: a challenge cannot send the
 * deployer to an arbitrary plain-http address.
 */
export class AnonymousRegistryTokens {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(private readonly http: RegistryHttpClient) {}

  async tokenFor(url: URL, challenge: string | undefined, timeoutMs: number): Promise<string | null> {
    const parameters = bearerChallenge(challenge);
    if (!parameters) return null;
    let realm: URL;
    try {
      realm = new URL(parameters.realm);
    } catch {
      return null;
    }
    if (realm.protocol !== 'https:' && realm.origin !== url.origin) return null;
    if (parameters.service) realm.searchParams.set('service', parameters.service);
    if (parameters.scope) realm.searchParams.set('scope', parameters.scope);
    const key = realm.toString();
    const known = this.tokens.get(key);
    if (known && known.until > Date.now()) return known.token;
    const answer = await this.http.request(realm, 'GET', {}, timeoutMs);
    if (!answer.ok) return null;
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = answer.json();
    } catch {
      return null;
    }
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '') return null;
    if (this.tokens.size >= MAX_TOKENS) this.tokens.clear();
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S;
    this.tokens.set(key, { token, until: Date.now() + (lifetime - 5) * 1000 });
    return token;
  }
}
