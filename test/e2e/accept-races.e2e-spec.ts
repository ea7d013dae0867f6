import { randomBytes } from 'node:crypto';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { PrivateRedis, startPrivateRedis } from '../support/private-redis.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const auth = authorization(USERS.alice);
const request = (tag: string, file: string) => ({
  auth,
  json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, tag), kind: 'python', file: Buffer.from(file).toString('base64') },
});
const buildsOf = async (deployer: TestDeployer, tag: string) => {
  const list = await call(deployer.url, 'GET', '/system/api/v1/build', { auth });
  return (list.body.builds as { id: string; target: string }[]).filter((b) => b.target === targetOf(USERS.alice, tag));
};

describe('a build request that Redis does not confirm in time', () => {
  let redis: PrivateRedis;
  let deployer: TestDeployer;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    deployer = await startTestDeployer({ worker: true, env: { REDIS_PORT: String(redis.port), REDIS_COMMAND_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => {
    redis?.thaw();
    await deployer?.close();
    await redis?.stop();
  });

  it('is answered 503 saying it may have been accepted, and its retry joins the one build', async () => {
    // Redis knows the store script by then, as it does in service: a script it has never seen would fail with NOSCRIPT.
    expect((await call(deployer.url, 'POST', START, request('warm-up', `six\n# ${randomBytes(4).toString('hex')}\n`))).status).toBe(200);
    const same = request('unconfirmed', `attrs\n# ${randomBytes(4).toString('hex')}\n`);
    redis.freeze();
    let refused;
    try {
      refused = await call(deployer.url, 'POST', START, same);
    } finally {
      redis.thaw();
    }
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ status: 'ko', message: expect.stringMatching(/may have been accepted.*Retry the same request/) });

    let retried = await call(deployer.url, 'POST', START, same);
    for (let i = 0; retried.status !== 200 && i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      retried = await call(deployer.url, 'POST', START, same);
    }
    expect(retried.status).toBe(200);
    // Redis ran the unconfirmed request once it came back: the retry is that build.
    expect(retried.body.coalesced).toBe(true);
    const stored = await buildsOf(deployer, 'unconfirmed');
    expect(stored.map((b) => b.id)).toEqual([retried.body.id]);
    expect((await waitForBuild(deployer.url, auth, String(retried.body.id))).state).toBe('succeeded');
    expect(await deployer.queue.getJobCountByTypes('waiting', 'active', 'delayed', 'completed', 'failed')).toBe(2);
  });
});

describe('identical requests for an image that already exists', () => {
  let deployer: TestDeployer;

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it('100 at once store one record and all get its answer', async () => {
    const same = request('existing-burst', `six\n# ${randomBytes(4).toString('hex')}\n`);
    const first = await call(deployer.url, 'POST', START, same);
    expect((await waitForBuild(deployer.url, auth, String(first.body.id))).state).toBe('succeeded');

    const answers = await Promise.all(Array.from({ length: 100 }, () => call(deployer.url, 'POST', START, same)));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(new Set(answers.map((a) => a.body.state))).toEqual(new Set(['succeeded']));
    const ids = new Set(answers.map((a) => String(a.body.id)));
    expect(ids.size).toBe(1);
    const stored = await buildsOf(deployer, 'existing-burst');
    expect(stored.map((b) => b.id).sort()).toEqual([String(first.body.id), ...ids].sort());
  });
});
