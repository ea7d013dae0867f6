import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { DependencyUnavailableError } from '#libs/errors';
import { freePort, startCouchdbTestServer, type CouchdbTestServer } from '../../../test/support/couchdb-test-server.js';
import { CouchdbIdentityProvider } from './couchdb-identity.provider.js';
import { CouchdbSubjectsRepository, type CouchdbConnectionOptions } from './couchdb-subjects.repository.js';

const alice = { uuid: 'a1c3b1d2-0000-4000-8000-00000000a11c', key: 'aliceKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU' };
const aliceTeam = { uuid: 'a1c3b1d2-0000-4000-8000-0000000000e2', key: 'teamKey' };
const bob = { uuid: 'b0b0b0b0-0000-4000-8000-0000000000b0', key: 'bobKey' };

describe('CouchdbIdentityProvider against a CouchDB-compatible server', () => {
  let couchdb: CouchdbTestServer;
  const prefix = `test_${randomBytes(4).toString('hex')}_`;
  const created: string[] = [];

  async function couch(method: string, path: string, body?: unknown): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (couchdb.user) {
      headers.authorization = `Basic ${Buffer.from(`${couchdb.user}:${couchdb.password ?? ''}`).toString('base64')}`;
    }
    const response = await fetch(`${couchdb.url}/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }

  async function createDatabase(name: string, docs: object[]): Promise<void> {
    await couch('PUT', name);
    created.push(name);
    await couch('POST', `${name}/_bulk_docs`, { docs });
  }

  function provider(overrides: Partial<CouchdbConnectionOptions> = {}): CouchdbIdentityProvider {
    const options = { url: couchdb.url, user: couchdb.user, password: couchdb.password, prefix, ...overrides };
    return new CouchdbIdentityProvider(new CouchdbSubjectsRepository(options));
  }

  beforeAll(async () => {
    couchdb = await startCouchdbTestServer();
    await createDatabase(`${prefix}subjects`, [
      {
        _id: 'alice',
        subject: 'alice',
        namespaces: [
          { name: 'alice', ...alice },
          { name: 'alice-team', ...aliceTeam },
        ],
      },
      { _id: 'bob', subject: 'bob', namespaces: [{ name: 'bob', ...bob }] },
    ]);
    await createDatabase(`${prefix}users_metadata`, [
      {
        _id: 'alice',
        login: 'alice',
        email: 'alice@example.com',
        env: [
          { key: 'REGISTRY_HOST', value: 'registry.example:5000' },
          { key: 'REDIS_PREFIX', value: 'alice:' },
          { key: 'BROKEN', value: 7 },
        ],
        userenv: [{ key: 'REGISTRY_HOST', value: 'alice-registry.example:5000' }],
      },
    ]);
    await createDatabase(`${prefix}lonely_subjects`, [
      { _id: 'alice', subject: 'alice', namespaces: [{ name: 'alice', ...alice }] },
    ]);
  });

  afterAll(async () => {
    if (!couchdb) return;
    for (const name of created) await couch('DELETE', name).catch(() => undefined);
    await couchdb.stop();
  });

  it('returns the user with env and userenv merged for a good key', async () => {
    await expect(provider().authenticate(alice)).resolves.toEqual({
      login: 'alice',
      owner: 'alice',
      subject: 'alice',
      env: { REGISTRY_HOST: 'alice-registry.example:5000', REDIS_PREFIX: 'alice:' },
    });
  });

  it('finds the subject through any of its namespaces', async () => {
    await expect(provider().authenticate(aliceTeam)).resolves.toMatchObject({ login: 'alice' });
  });

  it.each([
    ['a wrong key', { uuid: alice.uuid, key: 'wrong' }],
    ['a key that differs only in case', { uuid: alice.uuid, key: alice.key.toUpperCase() }],
    ['a prefix of the key', { uuid: alice.uuid, key: alice.key.slice(0, -1) }],
    ["another namespace's key", { uuid: alice.uuid, key: bob.key }],
    ['an unknown uuid', { uuid: 'ffffffff-0000-4000-8000-000000000000', key: alice.key }],
  ])('returns null for %s', async (_case, credentials) => {
    await expect(provider().authenticate(credentials)).resolves.toBeNull();
  });

  it('authenticates a subject without users_metadata as its subject, with no env', async () => {
    await expect(provider().authenticate(bob)).resolves.toEqual({ login: 'bob', owner: 'bob', subject: 'bob', env: {} });
  });

  it('authenticates when the users_metadata database does not exist', async () => {
    const lonely = provider({ prefix: `${prefix}lonely_` });
    await expect(lonely.authenticate(alice)).resolves.toEqual({ login: 'alice', owner: 'alice', subject: 'alice', env: {} });
  });

  it('reports a missing subjects database as unavailable, not as unknown credentials', async () => {
    const missing = provider({ prefix: `${prefix}missing_` });
    await expect(missing.authenticate(alice)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('reports a closed port as unavailable', async () => {
    const closed = provider({ url: `http://127.0.0.1:${await freePort()}` });
    await expect(closed.authenticate(alice)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  describe('with a misbehaving server', () => {
    const servers: Server[] = [];

    async function serve(listener: RequestListener): Promise<string> {
      const server = createServer(listener);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
      return `http://127.0.0.1:${address.port}`;
    }

    afterAll(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('reports a 500 answer as unavailable', async () => {
      const url = await serve((_request, response) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"error":"internal_server_error"}');
      });
      await expect(provider({ url }).authenticate(alice)).rejects.toBeInstanceOf(DependencyUnavailableError);
    });

    it('reports a server that never answers as unavailable once the timeout passes', async () => {
      const url = await serve(() => undefined);
      const error = await provider({ url, timeoutMs: 200 })
        .authenticate(alice)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect((error as Error).message).toContain('timed out');
    });

    it('reports a body that is not a _find answer as unavailable', async () => {
      const url = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>proxy login</html>');
      });
      await expect(provider({ url }).authenticate(alice)).rejects.toBeInstanceOf(DependencyUnavailableError);
    });

    it('sends the configured basic credentials and never the OpenWhisk key in the URL', async () => {
      const seen: { url?: string; authorization?: string; body: string } = { body: '' };
      const url = await serve((request, response) => {
        seen.url = request.url;
        seen.authorization = request.headers.authorization;
        request.on('data', (chunk: Buffer) => (seen.body += chunk.toString()));
        request.on('end', () => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"docs":[]}');
        });
      });
      await provider({ url, user: 'whisk_admin', password: 's3cret', prefix: 'nuvolaris_' }).authenticate(alice);
      expect(seen.url).toBe('/nuvolaris_subjects/_find');
      expect(seen.authorization).toBe(`Basic ${Buffer.from('whisk_admin:s3cret').toString('base64')}`);
      expect(JSON.parse(seen.body)).toMatchObject({
        selector: { namespaces: { $elemMatch: { uuid: alice.uuid, key: alice.key } } },
        limit: 1,
      });
    });
  });
});
