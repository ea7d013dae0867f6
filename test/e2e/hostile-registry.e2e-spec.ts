import { randomBytes } from 'node:crypto';
import { call } from '../support/http-client.js';
import { HostileBehaviour, HostileRegistry, indexOf, json, sha256, startHostileRegistry } from '../support/hostile-registry.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, authorization, writeUsersFile } from '../support/test-users.js';

const IMAGES = '/system/api/v1/registry/images';
const START = '/system/api/v1/build/start';
const SERVICE_USER = 'deployer-service';
const SERVICE_PASS = randomBytes(12).toString('hex');
const serviceAuthorization = `Basic ${Buffer.from(`${SERVICE_USER}:${SERVICE_PASS}`).toString('base64')}`;

const tenant = (login: string, env: Record<string, string>): TestUser => ({
  uuid: randomBytes(16).toString('hex'),
  key: randomBytes(24).toString('hex'),
  login: `${login}${randomBytes(3).toString('hex')}`,
  env,
});

/** A deployer whose own registry is the real one (with service credentials), and tenants who name a hostile one. */
async function deployerFor(users: TestUser[]): Promise<TestDeployer> {
  return startTestDeployer({
    env: {
      USERS_FILE: writeUsersFile(users),
      REGISTRY_HOST: '',
      REGISTRY_USER: SERVICE_USER,
      REGISTRY_PASS: SERVICE_PASS,
      REGISTRY_TIMEOUT_MS: '1000',
      AUTH_FAILURES_PER_WINDOW: '0',
      MAX_ACTIVE_BUILDS_PER_USER: '0',
    },
  });
}

describe('a hostile registry named by a tenant', () => {
  const registries: HostileRegistry[] = [];
  const deployers: TestDeployer[] = [];
  const hostile = async (behaviour: HostileBehaviour) => {
    const registry = await startHostileRegistry(behaviour);
    registries.push(registry);
    return registry;
  };
  const withTenant = async (env: (registry: HostileRegistry) => Record<string, string>, registry: HostileRegistry) => {
    const user = tenant('mallory', env(registry));
    const deployer = await deployerFor([user]);
    deployers.push(deployer);
    return { user, deployer, auth: authorization(user) };
  };
  afterEach(async () => {
    for (const deployer of deployers.splice(0)) await deployer.close();
    for (const registry of registries.splice(0)) await registry.close();
  });

  describe('credentials', () => {
    it('never receives the service registry credentials, only the tenant own REGISTRY_SECRET', async () => {
      const registry = await hostile((_req, res) => json(res, { name: 'x', tags: ['a'] }));
      const { deployer, auth } = await withTenant((r) => ({ REGISTRY_HOST: r.host, REGISTRY_SECRET: 'mallory:own-password' }), registry);
      const answer = await call(deployer.url, 'GET', IMAGES, { auth });
      expect(answer.status).toBe(200);
      expect(registry.received.length).toBeGreaterThan(0);
      const own = `Basic ${Buffer.from('mallory:own-password').toString('base64')}`;
      expect(registry.received.map((r) => r.authorization)).toEqual(registry.received.map(() => own));
    });

    it('gets no credentials at all from a tenant without REGISTRY_SECRET', async () => {
      const registry = await hostile((_req, res) => json(res, { name: 'x', tags: [] }));
      const { deployer, auth, user } = await withTenant((r) => ({ REGISTRY_HOST: r.host }), registry);
      expect((await call(deployer.url, 'GET', IMAGES, { auth })).status).toBe(200);
      const start = await call(deployer.url, 'POST', START, {
        auth,
        json: { source: 'openserverless/runtime-base:local', target: `${user.login}:y`, kind: 'python' },
      });
      expect(start.status).toBe(200);
      expect(registry.received.length).toBeGreaterThan(0);
      expect(registry.received.filter((r) => r.authorization !== undefined)).toEqual([]);
    });

    it('does not follow a pagination Link to another host, and answers 502', async () => {
      const elsewhere = await hostile((_req, res) => json(res, { tags: ['stolen'] }));
      const registry = await hostile((_req, res) =>
        json(res, { tags: ['first'] }, { link: `<http://${elsewhere.host}/v2/x/tags/list?last=first>; rel="next"` }),
      );
      const { deployer, auth } = await withTenant((r) => ({ REGISTRY_HOST: r.host, REGISTRY_SECRET: 'mallory:own' }), registry);
      const answer = await call(deployer.url, 'GET', IMAGES, { auth });
      expect(answer.status).toBe(502);
      expect(answer.body).toEqual({ status: 'ko', message: expect.stringContaining('a pagination link to another host') });
      expect(elsewhere.received).toEqual([]);
    });
  });

  describe('walks', () => {
    const selfIndex: HostileBehaviour = (req, res) => {
      if (req.url?.includes('/tags/list')) return json(res, { tags: ['loop'] });
      const digest = sha256('loop');
      json(res, indexOf(digest), { 'docker-content-digest': digest, 'content-type': 'application/vnd.oci.image.index.v1+json' });
    };
    let counter = 0;
    /** An index whose entry is a new index each time: no digest repeats. */
    const endlessIndexes: HostileBehaviour = (req, res) => {
      if (req.url?.includes('/tags/list')) return json(res, { tags: ['loop'] });
      const next = sha256(`index-${(counter += 1)}`);
      json(res, indexOf(next), { 'content-type': 'application/vnd.oci.image.index.v1+json' });
    };
    const endlessPages: HostileBehaviour = (req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('last') ?? 0) + 1;
      json(res, { tags: [`t${n}`] }, { link: `</v2/x/tags/list?n=1000&last=${n}>; rel="next"` });
    };

    it.each([
      ['an index whose entry is itself', selfIndex],
      ['indexes nested without end', endlessIndexes],
    ])('stops at %s: GET /registry/images/{tag} answers 502 after a few requests', async (_what, behaviour) => {
      const registry = await hostile(behaviour);
      const { deployer, auth } = await withTenant((r) => ({ REGISTRY_HOST: r.host }), registry);
      const answer = await call(deployer.url, 'GET', `${IMAGES}/loop`, { auth });
      expect(answer.status).toBe(502);
      expect(answer.body.status).toBe('ko');
      expect(registry.received.length).toBeLessThanOrEqual(64);
    });

    it('stops at pages without end: the tag list answers 502 after at most 64 pages', async () => {
      const registry = await hostile(endlessPages);
      const { deployer, auth } = await withTenant((r) => ({ REGISTRY_HOST: r.host }), registry);
      const answer = await call(deployer.url, 'GET', IMAGES, { auth });
      expect(answer.status).toBe(502);
      expect(answer.body.message).toMatch(/more than 64 requests/);
      expect(registry.received.length).toBe(64);
    });

    it('fails build/start with 502 and enqueues nothing when the existence check meets a self-referencing index', async () => {
      const registry = await hostile(selfIndex);
      const { deployer, auth, user } = await withTenant((r) => ({ REGISTRY_HOST: r.host }), registry);
      const answer = await call(deployer.url, 'POST', START, {
        auth,
        json: { source: 'openserverless/runtime-base:local', target: `${user.login}:loop`, kind: 'python' },
      });
      expect(answer.status).toBe(502);
      expect(await deployer.queue.count()).toBe(0);
      expect(registry.received.length).toBeLessThanOrEqual(64);
    });

    it('gives up on a registry that trickles its answer, within the request deadline', async () => {
      const registry = await hostile((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"tags":[');
        const drip = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(drip));
      });
      const { deployer, auth } = await withTenant((r) => ({ REGISTRY_HOST: r.host }), registry);
      const answer = await call(deployer.url, 'GET', IMAGES, { auth });
      expect(answer.status).toBe(503);
      expect(answer.body.message).toMatch(/no complete answer within 1000 ms/);
    });
  });
});
