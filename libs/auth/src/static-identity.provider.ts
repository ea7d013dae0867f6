import { createHash, timingSafeEqual } from 'node:crypto';
import { authenticatedUser, type AuthenticatedUser } from './authenticated-user.js';
import type { OpenWhiskCredentials } from './authorization-header.js';
import { IdentityProvider } from './identity-provider.js';
import { loadStaticUsers, type StaticUser } from './static-users.file.js';

interface StaticEntry {
  readonly keyDigest: Buffer;
  readonly user: AuthenticatedUser;
}

/** Users from a JSON file: the embedded default and the tests of other parts. */
export class StaticIdentityProvider extends IdentityProvider {
  private readonly byUuid: ReadonlyMap<string, StaticEntry>;

  constructor(users: readonly StaticUser[]) {
    super();
    this.byUuid = new Map(
      users.map((user) => [
        user.uuid,
        {
          keyDigest: digest(user.key),
          user: authenticatedUser({ login: user.login, subject: user.login, env: user.env }),
        },
      ]),
    );
  }

  static async fromFile(path: string): Promise<StaticIdentityProvider> {
    return new StaticIdentityProvider(await loadStaticUsers(path));
  }

  override async authenticate({ uuid, key }: OpenWhiskCredentials): Promise<AuthenticatedUser | null> {
    const entry = this.byUuid.get(uuid);
    // Digests have equal lengths, which timingSafeEqual needs, and hide the key's length.
    const candidate = digest(key);
    if (!entry) return null;
    return timingSafeEqual(entry.keyDigest, candidate) ? entry.user : null;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
