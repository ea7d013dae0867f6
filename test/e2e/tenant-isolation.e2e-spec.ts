import { randomBytes } from 'node:crypto';
import { BuildLogsRepository, BuildRecordsRepository } from '#libs/builds';
import { call } from '../support/http-client.js';
import { pushTinyImage } from '../support/registry-uploader.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { TestUser, USERS, authorization, targetOf } from '../support/test-users.js';

const BUILD = '/system/api/v1/build';
const IMAGES = '/system/api/v1/registry/images';
const NAMES = { alice: USERS.alice, aliceB: USERS.aliceB, bob: USERS.bob } as const;
type Name = keyof typeof NAMES;
const NAMES_OF = Object.keys(NAMES) as Name[];
const repositoryOf = (u: TestUser) => u.login.toLowerCase();
const requirements = (text: string) => Buffer.from(`requests==2.32.3\n# ${text}\n`).toString('base64');

/** Every ordered pair of distinct users, prefix-related logins included both ways. */
const PAIRS = NAMES_OF.flatMap((owner) => NAMES_OF.filter((other) => other !== owner).map((intruder) => [owner, intruder] as const));

/** Ids that are not the build's but look like it: case, prefix, suffix, truncation, encodings. */
const lookalikes = (id: string) => [
  id,
  id.toUpperCase(),
  `${id[0].toUpperCase()}${id.slice(1)}`,
  `a${id}`,
  `${id}0`,
  id.slice(0, -1),
  id.slice(1),
  `${id}%20`,
  `%20${id}`,
  encodeURIComponent(`${id}/`),
  `${id}*`,
  `build-${id}`,
];

interface OwnedBuilds {
  queued: string;
  finished: string;
}

describe('tenant isolation', () => {
  const host = String(process.env.REGISTRY_HOST);
  let deployer: TestDeployer;
  const builds = {} as Record<Name, OwnedBuilds>;
  const auth = (name: Name) => authorization(NAMES[name]);

  /** Everything a request could change about a build: record, log, file, queue job. */
  const buildState = async (id: string) => {
    const prefix = deployer.config.REDIS_PREFIX;
    await deployer.handedOver();
    const job = await deployer.queue.getJob(id);
    return {
      record: await deployer.redis.hgetall(`${prefix}:build:${id}`),
      log: await deployer.redis.xrange(`${prefix}:build:${id}:log`, '-', '+'),
      file: await deployer.redis.exists(`${prefix}:build:${id}:file`),
      job: job ? { state: await job.getState(), data: job.data as unknown } : null,
    };
  };
  const everyBuildState = async () => {
    const all: Record<string, unknown> = {};
    for (const name of NAMES_OF) for (const id of Object.values(builds[name])) all[id] = await buildState(id);
    return all;
  };
  const manifestDigest = async (repository: string, tag: string) => {
    const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    return response.status === 200 ? response.headers.get('docker-content-digest') : null;
  };

  const start = async (name: Name, tag: string, file = requirements(tag)) => {
    const answer = await call(deployer.url, 'POST', `${BUILD}/start`, {
      auth: auth(name),
      json: { source: 'openserverless/runtime-python:v3.12', target: targetOf(NAMES[name], tag), kind: 'python', file },
    });
    expect(answer.status).toBe(200);
    return String(answer.body.id);
  };

  beforeAll(async () => {
    deployer = await startTestDeployer({ env: { MAX_ACTIVE_BUILDS_PER_USER: '0', AUTH_FAILURES_PER_WINDOW: '0' } });
    const records = deployer.api.get(BuildRecordsRepository);
    const logs = deployer.api.get(BuildLogsRepository);
    for (const name of NAMES_OF) {
      const queued = await start(name, `iso-queued-${name.toLowerCase()}`);
      await logs.append(queued, [`${name} is building`]);
      const finished = await start(name, `iso-done-${name.toLowerCase()}`);
      const record = (await records.get(finished))!;
      await logs.append(finished, [`${name} built`, 'ERROR: boom']);
      await records.finish(record, { state: 'failed', reason: 'BuildFailed', message: 'boom', logTail: ['ERROR: boom'] });
      // A day and more ago, so that any cleanup would take it.
      await deployer.redis.hset(`${deployer.config.REDIS_PREFIX}:build:${finished}`, 'finishedAt', String(Date.now() - 100 * 3_600_000));
      builds[name] = { queued, finished };
    }
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it("shows each owner its builds (the control: the ids below are real)", async () => {
    for (const name of NAMES_OF) {
      for (const id of Object.values(builds[name])) {
        expect((await call(deployer.url, 'GET', `${BUILD}/${id}`, { auth: auth(name) })).status).toBe(200);
        const logs = await call(deployer.url, 'GET', `${BUILD}/${id}/logs`, { auth: auth(name) });
        expect((logs.body.lines as string[]).length).toBeGreaterThan(0);
      }
    }
  });

  it.each(PAIRS)("answers %s's builds to %s as missing, with any look-alike id, and changes nothing", async (owner, intruder) => {
    const before = await everyBuildState();
    for (const id of Object.values(builds[owner])) {
      for (const variant of lookalikes(id)) {
        for (const [method, path] of [
          ['GET', `${BUILD}/${variant}`],
          ['GET', `${BUILD}/${variant}/logs`],
          ['GET', `${BUILD}/${variant}/logs?follow=true`],
          ['DELETE', `${BUILD}/${variant}`],
        ] as const) {
          const answer = await fetch(deployer.url + path, {
            method,
            headers: { authorization: auth(intruder) },
            signal: AbortSignal.timeout(5_000),
          });
          expect({ method, path, status: answer.status }).toEqual({ method, path, status: 404 });
          expect(await answer.json()).toEqual({ status: 'ko', message: expect.stringMatching(/^Build .* not found$/) });
        }
      }
    }
    const list = await call(deployer.url, 'GET', BUILD, { auth: auth(intruder) });
    const listed = (list.body.builds as { id: string }[]).map((b) => b.id);
    expect(listed.sort()).toEqual(Object.values(builds[intruder]).sort());
    expect(await everyBuildState()).toEqual(before);
  });

  it('answers an owner asking with its own id in another case as missing', async () => {
    for (const name of NAMES_OF) {
      const answer = await call(deployer.url, 'GET', `${BUILD}/${builds[name].queued.toUpperCase()}`, { auth: auth(name) });
      expect(answer.status).toBe(404);
    }
  });

  it.each(PAIRS)("refuses %s's repository as a target for %s", async (owner, intruder) => {
    const jobs = await deployer.queue.count();
    for (const target of [
      targetOf(NAMES[owner], 'intrusion'),
      `${NAMES[owner].login}:intrusion`,
      `${repositoryOf(NAMES[owner])}/x:intrusion`,
      `${repositoryOf(NAMES[intruder])}/../${repositoryOf(NAMES[owner])}:intrusion`,
    ]) {
      const answer = await call(deployer.url, 'POST', `${BUILD}/start`, {
        auth: auth(intruder),
        json: { source: 'openserverless/runtime-python:v3.12', target, kind: 'python' },
      });
      expect({ target, status: answer.status }).toEqual({ target, status: 400 });
    }
    expect(await deployer.queue.count()).toBe(jobs);
  });

  it('never joins the identical request of another user to its build', async () => {
    const file = requirements(`shared-${randomBytes(4).toString('hex')}`);
    const a = await start('alice', 'iso-shared', file);
    const b = await start('aliceB', 'iso-shared', file);
    expect(a).not.toBe(b);
    expect((await deployer.redis.hget(`${deployer.config.REDIS_PREFIX}:build:${b}`, 'login')) ?? '').toBe(repositoryOf(USERS.aliceB));
    for (const id of [a, b]) await call(deployer.url, 'DELETE', `${BUILD}/${id}`, { auth: id === a ? auth('alice') : auth('aliceB') });
  });

  describe("another user's images", () => {
    const digests = {} as Record<Name, { own: string; shared: string }>;

    beforeAll(async () => {
      for (const name of NAMES_OF) {
        const repository = repositoryOf(NAMES[name]);
        digests[name] = {
          own: await pushTinyImage(host, repository, `only-${name.toLowerCase()}`, { owner: name }),
          // The same tag in every repository, each with its own content.
          shared: await pushTinyImage(host, repository, 'shared', { owner: name, unique: randomBytes(4).toString('hex') }),
        };
      }
    });
    const registryState = async () => {
      const all: Record<string, string | null> = {};
      for (const name of NAMES_OF) {
        const repository = repositoryOf(NAMES[name]);
        for (const tag of [`only-${name.toLowerCase()}`, 'shared']) all[`${repository}:${tag}`] = await manifestDigest(repository, tag);
      }
      return all;
    };

    it('lists only the caller own repository', async () => {
      for (const name of NAMES_OF) {
        const answer = await call(deployer.url, 'GET', IMAGES, { auth: auth(name) });
        expect(answer.status).toBe(200);
        expect(answer.body.repository).toBe(repositoryOf(NAMES[name]));
        expect((answer.body.images as { tag: string }[]).map((i) => i.tag).sort()).toEqual([`only-${name.toLowerCase()}`, 'shared']);
      }
    });

    it.each(PAIRS)("answers %s's tags to %s as missing or invalid, however named, and deletes nothing", async (owner, intruder) => {
      const before = await registryState();
      const ownerRepository = repositoryOf(NAMES[owner]);
      const ownTag = `only-${owner.toLowerCase()}`;
      for (const tag of [
        ownTag,
        ownTag.toUpperCase(),
        encodeURIComponent(`${ownerRepository}:${ownTag}`),
        encodeURIComponent(`../${ownerRepository}/manifests/${ownTag}`),
        `..%2F${ownerRepository}%2Fmanifests%2F${ownTag}`,
        `%2e%2e%2f${ownerRepository}:${ownTag}`,
        encodeURIComponent(before[`${ownerRepository}:${ownTag}`]!),
      ]) {
        for (const method of ['GET', 'DELETE']) {
          const answer = await call(deployer.url, method, `${IMAGES}/${tag}`, { auth: auth(intruder) });
          expect({ method, tag, refused: [400, 404].includes(answer.status) }).toEqual({ method, tag, refused: true });
          expect(answer.body).toEqual({ status: 'ko', message: expect.any(String) });
        }
      }
      const shared = await call(deployer.url, 'GET', `${IMAGES}/shared`, { auth: auth(intruder) });
      expect(shared.body).toMatchObject({ repository: repositoryOf(NAMES[intruder]), digest: digests[intruder].shared });
      expect(await registryState()).toEqual(before);
    });

    it("deletes the caller's tag and leaves the same tag of a user whose login extends it", async () => {
      const before = await registryState();
      const answer = await call(deployer.url, 'DELETE', `${IMAGES}/shared`, { auth: auth('alice') });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ repository: repositoryOf(USERS.alice), digest: digests.alice.shared });
      expect(await registryState()).toEqual({ ...before, [`${repositoryOf(USERS.alice)}:shared`]: null });
    });
  });

  describe('cleanup', () => {
    it.each([['bob'], ['aliceB'], ['alice']] as const)("by %s deletes its finished builds and nobody else's", async (name) => {
      const others = NAMES_OF.filter((n) => n !== name);
      const before = await everyBuildState();
      const answer = await call(deployer.url, 'POST', `${BUILD}/cleanup`, { auth: auth(name), json: { max_age_hours: 1 } });
      expect(answer.body).toMatchObject({ status: 'ok', deleted: 1 });
      const after = await everyBuildState();
      const mine = builds[name];
      expect((after[mine.finished] as { record: object }).record).toEqual({});
      expect(after[mine.queued]).toEqual(before[mine.queued]);
      for (const other of others) for (const id of Object.values(builds[other])) expect({ id, state: after[id] }).toEqual({ id, state: before[id] });
    });
  });
});
