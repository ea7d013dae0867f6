import { createHash, randomBytes } from 'node:crypto';
import { waitForBuild } from '../support/build-waiter.js';
import { runCli } from '../support/cli-runner.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const count = (text: string, needle: string) => text.split('\n').filter((line) => line.includes(needle)).length;

/**
 * The Redis command timeout is set far below the time a build stays silent
 * (its extend step sleeps), so a follower that inherited it would give up.
 */
describe('following a build log through silence and Redis reconnects', () => {
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true, env: { REDIS_COMMAND_TIMEOUT_MS: '500' } });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  const start = async (tag: string, file: Buffer) => {
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, tag), kind: 'python', file: file.toString('base64') },
    });
    expect(answer.status).toBe(200);
    return String(answer.body.id);
  };

  it('deployer send waits through an install quieter than the Redis command timeout, exits 0 and prints the image', async () => {
    const file = Buffer.from(`quiet-one==1.0\n# extend: sleep 4\nquiet-two==2.0\n# ${randomBytes(4).toString('hex')}\n`);
    const tag = `quiet-${md5(file)}`;
    const result = await runCli(['send'], {
      ADMIN_API_URL: deployer.url,
      AUTH: `${USERS.alice.uuid}:${USERS.alice.key}`,
      SOURCE: process.env.BASE_IMAGE,
      TARGET: targetOf(USERS.alice, tag),
      KIND: 'python',
      REQUIREMENTS: file.toString('base64'),
    });
    expect(result.stderr).toMatch(/extend: sleeping 4 s/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`image: ${deployer.config.REGISTRY_HOST}/${USERS.alice.login}:${tag}`);
    expect(result.stdout).toMatch(/digest: sha256:[a-f0-9]{64}/);
    // Followed again after a break, never from the start: each line once.
    expect(count(result.stderr, 'extend: installing quiet-one==1.0')).toBe(1);
    expect(count(result.stderr, 'extend: installing quiet-two==2.0')).toBe(1);
  });

  it('survives its Redis connection being killed mid-build and repeats no line', async () => {
    const file = Buffer.from(`killed-follow==1.0\n# extend: sleep 5\n# ${randomBytes(4).toString('hex')}\n`);
    const id = await start(`killed-${md5(file)}`, file);
    const response = await fetch(`${deployer.url}/system/api/v1/build/${id}/logs?follow=true`, { headers: { authorization: auth } });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!/extend: sleeping/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the follow ended before the extend step slept:\n${text}`);
      text += decoder.decode(value, { stream: true });
    }

    const clients = String(await deployer.redis.call('CLIENT', 'LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${deployer.config.REDIS_PREFIX}:log-follower `));
    expect(clients).toHaveLength(1);
    const clientId = /\bid=(\d+)/.exec(clients[0])![1];
    expect(await deployer.redis.call('CLIENT', 'KILL', 'ID', clientId)).toBe(1);

    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const status = await waitForBuild(deployer.url, auth, id);
    expect(status.state).toBe('succeeded');
    const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth });
    const lines = logs.body.lines as string[];
    expect(lines.some((line) => line.includes('extend: installing killed-follow==1.0'))).toBe(true);
    expect(text).toBe(lines.map((line) => `${line}\n`).join(''));
  });

  it('skips the lines a client already has with from, and refuses a from that is no line offset', async () => {
    const file = Buffer.from(`from-one\nfrom-two\n# ${randomBytes(4).toString('hex')}\n`);
    const id = await start(`from-${md5(file)}`, file);
    expect((await waitForBuild(deployer.url, auth, id)).state).toBe('succeeded');
    const all = (await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[];
    expect(all.length).toBeGreaterThan(3);

    const later = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs?from=3`, { auth });
    expect(later.body.lines).toEqual(all.slice(3));
    const followed = await fetch(`${deployer.url}/system/api/v1/build/${id}/logs?follow=true&from=3`, { headers: { authorization: auth } });
    expect(await followed.text()).toBe(all.slice(3).map((line) => `${line}\n`).join(''));
    const beyond = await fetch(`${deployer.url}/system/api/v1/build/${id}/logs?follow=true&from=${all.length + 5}`, {
      headers: { authorization: auth },
    });
    expect(await beyond.text()).toBe('');

    for (const bad of ['-1', 'ten', '1.5', '99999999']) {
      const refused = await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs?follow=true&from=${bad}`, { auth });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ status: 'ko', message: expect.stringMatching(/from/) });
    }
  });
});
