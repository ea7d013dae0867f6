import { randomBytes } from 'node:crypto';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { PrivateRedis, startPrivateRedis } from '../support/private-redis.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';

describe('Redis going away for a few seconds', () => {
  let redis: PrivateRedis;
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);
  const request = (tag: string, file: string) => ({
    auth,
    json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, tag), kind: 'python', file: Buffer.from(file).toString('base64') },
  });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    deployer = await startTestDeployer({
      worker: true,
      env: { REDIS_PORT: String(redis.port), REDIS_COMMAND_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(async () => {
    redis?.thaw();
    await deployer?.close();
    await redis?.stop();
  });

  it('answers 503 quickly, turns not-ready, recovers without a restart, and loses no accepted build', async () => {
    const accepted = await call(deployer.url, 'POST', START, request('outage-1', `six\n# extend: sleep 3\n# ${randomBytes(4).toString('hex')}\n`));
    expect(accepted.status).toBe(200);

    redis.freeze();
    try {
      const began = Date.now();
      const refused = await call(deployer.url, 'POST', START, request('outage-2', 'attrs\n'));
      const took = Date.now() - began;
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ status: 'ko', message: expect.stringMatching(/unavailable/i) });
      expect(took).toBeLessThan(10_000);
      const health = await call(deployer.url, 'GET', '/system/health');
      expect(health.status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      redis.thaw();
    }

    let again = await call(deployer.url, 'POST', START, request('outage-3', 'click\n'));
    for (let i = 0; again.status !== 200 && i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      again = await call(deployer.url, 'POST', START, request('outage-3', 'click\n'));
    }
    expect(again.status).toBe(200);
    expect((await call(deployer.url, 'GET', '/system/health')).status).toBe(200);

    const first = await waitForBuild(deployer.url, auth, String(accepted.body.id), 120_000);
    expect(first.state).toBe('succeeded');
    const third = await waitForBuild(deployer.url, auth, String(again.body.id), 120_000);
    expect(third.state).toBe('succeeded');
  });
});
