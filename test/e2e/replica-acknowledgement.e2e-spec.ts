import { randomBytes } from 'node:crypto';
import { call } from '../support/http-client.js';
import { PrivateRedis, startPrivateRedis } from '../support/private-redis.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const auth = authorization(USERS.alice);

/** REDIS_WAIT_REPLICAS against a real master, first without a replica, then with one. */
describe('an accepted build is on a replica before the API says so (REDIS_WAIT_REPLICAS)', () => {
  let master: PrivateRedis;
  let replica: PrivateRedis | undefined;
  let deployer: TestDeployer;

  beforeAll(async () => {
    master = await startPrivateRedis();
    deployer = await startTestDeployer({
      env: { REDIS_PORT: String(master.port), REDIS_WAIT_REPLICAS: '1', REDIS_COMMAND_TIMEOUT_MS: '4000', MAX_ACTIVE_BUILDS_PER_USER: '0' },
    });
  });
  afterAll(async () => {
    await deployer?.close();
    await replica?.stop();
    await master?.stop();
  });

  it('answers 503 "may have been accepted" while no replica confirms, also to a retry that joins, and 200 once one does', async () => {
    const request = () => ({
      source: process.env.BASE_IMAGE,
      target: targetOf(USERS.alice, 'waited'),
      kind: 'python',
      file: Buffer.from(`waited\n# ${run}\n`).toString('base64'),
    });
    const run = randomBytes(4).toString('hex');
    const refused = await call(deployer.url, 'POST', START, { auth, json: request() });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ status: 'ko', message: expect.stringMatching(/may have been accepted/) });
    // It was stored on the master all the same, and queued: it would run.
    const [stored] = await deployer.queue.getJobs(['waiting']);
    expect(stored).toBeDefined();
    expect(await deployer.redis.exists(`${deployer.config.REDIS_PREFIX}:build:${stored.id}`)).toBe(1);

    // Joining it is no confirmation either: it is still on the master alone.
    expect((await call(deployer.url, 'POST', START, { auth, json: request() })).status).toBe(503);

    replica = await startPrivateRedis({ replicaOf: master.port });
    const joined = await call(deployer.url, 'POST', START, { auth, json: request() });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: stored.id, coalesced: true });

    const other = await call(deployer.url, 'POST', START, {
      auth,
      json: { ...request(), target: targetOf(USERS.alice, 'waited-2'), file: Buffer.from(`other\n# ${run}\n`).toString('base64') },
    });
    expect(other.status).toBe(200);
    expect(other.body.coalesced).toBe(false);
  });
});
