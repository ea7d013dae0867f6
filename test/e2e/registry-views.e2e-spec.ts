import { randomBytes } from 'node:crypto';
import { freeLoopbackPort } from '#libs/devenv';
import { AUTH_REGISTRY_USER, AuthRegistry, pushTinyImageWithAuth, startAuthRegistry } from '../support/auth-registry.js';
import { call } from '../support/http-client.js';
import { pushTinyImage } from '../support/registry-uploader.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, USERS, authorization, writeUsersFile } from '../support/test-users.js';

const IMAGES = '/system/api/v1/registry/images';
const imagePath = (tag: string) => `${IMAGES}/${encodeURIComponent(tag)}`;
const repositoryOf = (u: TestUser) => u.login.toLowerCase();

const user = (login: string, env: Record<string, string> = {}): TestUser => ({
  uuid: randomBytes(8).toString('hex'),
  key: randomBytes(16).toString('hex'),
  login,
  env,
});

/** What the manifest says the image weighs: its layers plus its config. */
async function storedSize(host: string, repository: string, tag: string): Promise<number> {
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  const manifest = (await response.json()) as { config: { size: number }; layers: { size: number }[] };
  return manifest.layers.reduce((total, layer) => total + layer.size, manifest.config.size);
}

describe("registry views of the caller's own repository", () => {
  const host = String(process.env.REGISTRY_HOST);
  const alice = USERS.alice;
  const aliceAuth = authorization(alice);
  let deployer: TestDeployer;
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    deployer = await startTestDeployer();
    v1 = await pushTinyImage(host, repositoryOf(alice), 'v1', { 'org.example.purpose': 'views' });
    v2 = await pushTinyImage(host, repositoryOf(alice), 'v2.0_rc-1', { unique: randomBytes(4).toString('hex') });
    await pushTinyImage(host, repositoryOf(USERS.bob), 'mine', { unique: randomBytes(4).toString('hex') });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it.each([
    ['GET', IMAGES],
    ['GET', imagePath('v1')],
    ['DELETE', imagePath('v1')],
  ])('%s %s needs an authorization', async (method, path) => {
    const answer = await call(deployer.url, method, path);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ status: 'ko', message: 'Missing authorization header' });
  });

  it("lists the caller's tags, sorted, with their image references", async () => {
    const answer = await call(deployer.url, 'GET', IMAGES, { auth: aliceAuth });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      registry: host,
      repository: repositoryOf(alice),
      images: [
        { tag: 'v1', image: `${host}/${repositoryOf(alice)}:v1` },
        { tag: 'v2.0_rc-1', image: `${host}/${repositoryOf(alice)}:v2.0_rc-1` },
      ],
    });
  });

  it('uses the login lowercased as the repository', async () => {
    const answer = await call(deployer.url, 'GET', IMAGES, { auth: authorization(USERS.bob) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ repository: repositoryOf(USERS.bob), images: [{ tag: 'mine' }] });
  });

  it('shows one image: digest, size of layers and config, labels', async () => {
    const answer = await call(deployer.url, 'GET', imagePath('v1'), { auth: aliceAuth });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      registry: host,
      repository: repositoryOf(alice),
      tag: 'v1',
      image: `${host}/${repositoryOf(alice)}:v1`,
      digest: v1,
      size: await storedSize(host, repositoryOf(alice), 'v1'),
      labels: { 'org.example.purpose': 'views' },
    });
    expect(answer.body.size).toBeGreaterThan(0);
  });

  it('answers 404 in the error format for a tag that does not exist', async () => {
    for (const method of ['GET', 'DELETE']) {
      const answer = await call(deployer.url, method, imagePath('missing'), { auth: aliceAuth });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ status: 'ko', message: `Image ${repositoryOf(alice)}:missing not found` });
    }
  });

  it.each(['.hidden', '-dash', 'a b', 'tag:colon', 'a/b', 'x'.repeat(129), 'caf\u00e9'])(
    'answers 400 for the invalid tag %j',
    async (tag) => {
      for (const method of ['GET', 'DELETE']) {
        const answer = await call(deployer.url, method, imagePath(tag), { auth: aliceAuth });
        expect(answer.status).toBe(400);
        expect(answer.body.status).toBe('ko');
        expect(String(answer.body.message)).toMatch(/^Invalid tag /);
      }
    },
  );

  it("never reaches another user's repository, even one whose name starts alike", async () => {
    const other = authorization(USERS.aliceB);
    const list = await call(deployer.url, 'GET', IMAGES, { auth: other });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ repository: repositoryOf(USERS.aliceB), images: [] });
    for (const method of ['GET', 'DELETE']) {
      const answer = await call(deployer.url, method, imagePath('v1'), { auth: other });
      expect(answer.status).toBe(404);
      expect(answer.body.status).toBe('ko');
    }
    const bob = await call(deployer.url, 'DELETE', imagePath('v2.0_rc-1'), { auth: authorization(USERS.bob) });
    expect(bob.status).toBe(404);

    const still = await call(deployer.url, 'GET', imagePath('v1'), { auth: aliceAuth });
    expect(still.body).toMatchObject({ status: 'ok', digest: v1 });
    expect((await call(deployer.url, 'GET', imagePath('v2.0_rc-1'), { auth: aliceAuth })).body.digest).toBe(v2);
  });

  it('deletes a tag by its manifest digest and answers with the digest', async () => {
    const digest = await pushTinyImage(host, repositoryOf(alice), 'gone', { unique: randomBytes(4).toString('hex') });
    const answer = await call(deployer.url, 'DELETE', imagePath('gone'), { auth: aliceAuth });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      message: `Deleted ${repositoryOf(alice)}:gone (${digest})`,
      registry: host,
      repository: repositoryOf(alice),
      tag: 'gone',
      image: `${host}/${repositoryOf(alice)}:gone`,
      digest,
    });
    expect((await call(deployer.url, 'GET', imagePath('gone'), { auth: aliceAuth })).status).toBe(404);
    expect((await call(deployer.url, 'DELETE', imagePath('gone'), { auth: aliceAuth })).status).toBe(404);
    const tags = ((await call(deployer.url, 'GET', IMAGES, { auth: aliceAuth })).body.images as { tag: string }[]).map((i) => i.tag);
    expect(tags).toEqual(['v1', 'v2.0_rc-1']);
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const document = (await call(deployer.url, 'GET', '/system/apidocs-json')).body as {
      paths: Record<string, Record<string, { tags: string[]; security: unknown[]; responses: Record<string, unknown> }>>;
    };
    const list = document.paths[IMAGES]?.get;
    const one = document.paths[`${IMAGES}/{tag}`];
    expect(list?.tags).toEqual(['registry']);
    expect(list?.security).toEqual([{ openwhisk: [] }]);
    expect(Object.keys(list?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '503']));
    for (const operation of [one?.get, one?.delete]) {
      expect(operation?.security).toEqual([{ openwhisk: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '404', '503']));
    }
    expect(JSON.stringify(one?.get?.responses['200'])).toContain('OwnImageResponseDto');
    expect(JSON.stringify(one?.delete?.responses['200'])).toContain('DeletedImageResponseDto');
  });

  it('answers 503 when the registry is unreachable', async () => {
    const closed = await startTestDeployer({ env: { REGISTRY_HOST: `127.0.0.1:${await freeLoopbackPort()}` } });
    try {
      for (const [method, path] of [['GET', IMAGES], ['GET', imagePath('v1')], ['DELETE', imagePath('v1')]]) {
        const answer = await call(closed.url, method, path, { auth: aliceAuth });
        expect(answer.status).toBe(503);
        expect(answer.body.status).toBe('ko');
        expect(String(answer.body.message)).toMatch(/unreachable/);
      }
    } finally {
      await closed.close();
    }
  });
});

describe('registry views against a registry that requires basic auth', () => {
  let registry: AuthRegistry;
  let usersFile: string;
  const created = '2025-06-09T19:54:00Z';
  const carol = user(`carol${randomBytes(3).toString('hex')}`);
  const dave = user(`dave${randomBytes(3).toString('hex')}`, { REGISTRY_HOST: 'evil.example.com/path' });
  let digest: string;
  let size: number;

  beforeAll(async () => {
    registry = await startAuthRegistry();
    carol.env.REGISTRY_HOST = registry.host;
    usersFile = writeUsersFile([carol, dave]);
    ({ digest, size } = await pushTinyImageWithAuth(registry, repositoryOf(carol), 'v1', { labels: { tier: 'auth' }, created }));
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const withDeployer = async (env: Record<string, string>, test: (deployer: TestDeployer) => Promise<void>) => {
    const deployer = await startTestDeployer({ env: { USERS_FILE: usersFile, ...env } });
    try {
      await test(deployer);
    } finally {
      await deployer.close();
    }
  };

  it('refuses anonymous requests itself', async () => {
    const answer = await fetch(`http://${registry.host}/v2/_catalog`);
    expect(answer.status).toBe(401);
  });

  it("lists, shows and deletes with the user's own REGISTRY_SECRET, on the user's own REGISTRY_HOST", async () => {
    // The service's credentials are for its own registry; they must not help here.
    const ownSecret = { ...carol, env: { ...carol.env, REGISTRY_SECRET: `${registry.user}:${registry.password}` } };
    const env = { REGISTRY_HOST: '', REGISTRY_USER: 'service', REGISTRY_PASS: 'not-for-this-host', USERS_FILE: writeUsersFile([ownSecret, dave]) };
    await withDeployer(env, async (deployer) => {
      const auth = authorization(carol);
      const list = await call(deployer.url, 'GET', IMAGES, { auth });
      expect(list.status).toBe(200);
      expect(list.body).toEqual({
        status: 'ok',
        registry: registry.host,
        repository: repositoryOf(carol),
        images: [{ tag: 'v1', image: `${registry.host}/${repositoryOf(carol)}:v1` }],
      });

      const shown = await call(deployer.url, 'GET', imagePath('v1'), { auth });
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ digest, size, created, labels: { tier: 'auth' } });

      const gone = await pushTinyImageWithAuth(registry, repositoryOf(carol), 'gone', { labels: { unique: randomBytes(4).toString('hex') } });
      const deleted = await call(deployer.url, 'DELETE', imagePath('gone'), { auth });
      expect(deleted.status).toBe(200);
      expect(deleted.body.digest).toBe(gone.digest);
      expect((await call(deployer.url, 'GET', imagePath('gone'), { auth })).status).toBe(404);

      const bad = await call(deployer.url, 'GET', IMAGES, { auth: authorization(dave) });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ status: 'ko', message: expect.stringMatching(/REGISTRY_HOST/) });
    });
  });

  it.each([
    ['wrong credentials', { REGISTRY_USER: AUTH_REGISTRY_USER, REGISTRY_PASS: 'not-the-password' }],
    ['no credentials', {}],
  ])('answers 503, not 500, with %s', async (_, credentials: Record<string, string>) => {
    await withDeployer({ REGISTRY_HOST: registry.host, ...credentials }, async (deployer) => {
      for (const [method, path] of [['GET', IMAGES], ['GET', imagePath('v1')], ['DELETE', imagePath('v1')]]) {
        const answer = await call(deployer.url, method, path, { auth: authorization(carol) });
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({ status: 'ko', message: expect.stringMatching(/Registry answered 401/) });
      }
    });
    const untouched = await fetch(`http://${registry.host}/v2/${repositoryOf(carol)}/manifests/v1`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${registry.user}:${registry.password}`).toString('base64')}`,
        accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    expect(untouched.status).toBe(200);
  });
});
