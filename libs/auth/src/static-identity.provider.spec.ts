import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticIdentityProvider } from './static-identity.provider.js';

describe('StaticIdentityProvider', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'static-users-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function usersFile(name: string, content: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  const alice = { uuid: 'u-alice', key: 'k-alice-secret', login: 'alice', env: { REGISTRY_HOST: 'localhost:5000' } };
  const bob = { uuid: 'u-bob', key: 'k-bob', login: 'bob' };

  it('authenticates the users of the file', async () => {
    const provider = await StaticIdentityProvider.fromFile(await usersFile('users.json', [alice, bob]));
    await expect(provider.authenticate({ uuid: 'u-alice', key: 'k-alice-secret' })).resolves.toEqual({
      login: 'alice',
      owner: 'alice',
      subject: 'alice',
      env: { REGISTRY_HOST: 'localhost:5000' },
    });
    await expect(provider.authenticate({ uuid: 'u-bob', key: 'k-bob' })).resolves.toEqual({
      login: 'bob',
      owner: 'bob',
      subject: 'bob',
      env: {},
    });
  });

  it.each([
    ['a wrong key', { uuid: 'u-alice', key: 'k-bob' }],
    ['a prefix of the key', { uuid: 'u-alice', key: 'k-alice' }],
    ['a longer key', { uuid: 'u-alice', key: 'k-alice-secret!' }],
    ['an unknown uuid', { uuid: 'u-carol', key: 'k-alice-secret' }],
  ])('returns null for %s', async (_case, credentials) => {
    const provider = await StaticIdentityProvider.fromFile(await usersFile('users.json', [alice, bob]));
    await expect(provider.authenticate(credentials)).resolves.toBeNull();
  });

  it.each([
    ['not JSON', '[{', /users-bad\.json is not valid JSON/],
    ['not an array', { uuid: 'u' }, /must hold a JSON array/],
    ['an entry that is not an object', [alice, 'bob'], /entry 1: must be an object/],
    ['a missing uuid', [{ key: 'k', login: 'x' }], /entry 0: "uuid" must be/],
    ['a uuid with a colon', [{ uuid: 'a:b', key: 'k', login: 'x' }], /entry 0: "uuid" must be/],
    ['an empty key', [alice, { ...bob, key: '' }], /entry 1: "key" must be/],
    ['a missing login', [{ uuid: 'u', key: 'k' }], /entry 0: "login" must be/],
    ['an env that is an array', [{ ...bob, env: [] }], /entry 0: "env" must be an object/],
    ['a non-string env value', [{ ...bob, env: { PORT: 5000 } }], /entry 0: "env.PORT" must be a string/],
    ['a duplicate uuid', [alice, { ...bob, uuid: 'u-alice' }], /entry 1: "uuid" u-alice is already used/],
  ])('refuses a file with %s, naming the file', async (_case, content, message) => {
    const path = await usersFile('users-bad.json', content);
    const loading = StaticIdentityProvider.fromFile(path);
    await expect(loading).rejects.toThrow(message);
    await expect(loading).rejects.toThrow(path);
  });

  it('never puts a key in a validation message', async () => {
    const path = await usersFile('users-bad.json', [{ uuid: 'u', key: 'k-very-secret', login: '' }]);
    const error = await StaticIdentityProvider.fromFile(path).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain('k-very-secret');
  });

  it('names a file that cannot be read', async () => {
    const path = join(dir, 'absent.json');
    await expect(StaticIdentityProvider.fromFile(path)).rejects.toThrow(`Cannot read users file ${path}: ENOENT`);
  });
});
