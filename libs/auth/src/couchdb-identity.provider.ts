import { authenticatedUser, mergeUserEnv, type AuthenticatedUser } from './authenticated-user.js';
import type { OpenWhiskCredentials } from './authorization-header.js';
import type { CouchdbSubjectsRepository } from './couchdb-subjects.repository.js';
import { IdentityProvider } from './identity-provider.js';

/** OpenServerless identities: subject from the key, then the user's metadata. */
export class CouchdbIdentityProvider extends IdentityProvider {
  constructor(private readonly subjects: CouchdbSubjectsRepository) {
    super();
  }

  override async authenticate(credentials: OpenWhiskCredentials): Promise<AuthenticatedUser | null> {
    const subject = await this.subjects.findSubjectByCredentials(credentials);
    if (!subject) return null;

    // A subject without metadata is still a valid OpenWhisk identity.
    const metadata = await this.subjects.findUserMetadata(subject.subject);
    const login = typeof metadata?.login === 'string' && metadata.login !== '' ? metadata.login : subject.subject;
    return authenticatedUser({
      login,
      subject: subject.subject,
      env: mergeUserEnv(metadata?.env, metadata?.userenv),
    });
  }
}
