import { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { reconnectFrom } from '#libs/builds';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer, testEnvironment } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';
import { exited, spawnApi, spawnWorker } from '../support/worker-process.js';

const auth = authorization(USERS.alice);

/** Follows a build's log as the CLI does; resolves with every line and whether the stream ended cleanly. */
async function follow(url: string, id: string, from: number, onLine: (line: string) => void): Promise<{ lines: string[]; clean: boolean }> {
  const response = await fetch(`${url}/system/api/v1/build/${id}/logs?follow=true&from=${from}`, { headers: { authorization: auth } });
  expect(response.status).toBe(200);
  const lines: string[] = [];
  let rest = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      rest += Buffer.from(chunk).toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        onLine(line);
      }
    }
    return { lines, clean: true };
  } catch {
    return { lines, clean: false };
  }
}

describe('an API sent SIGTERM', () => {
  let deployer: TestDeployer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    deployer = await startTestDeployer();
  });
  afterAll(async () => {
    for (const child of children) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await deployer?.close();
  });

  it('turns readiness 503 at once, answers while it drains, and ends log follows with where to reconnect', async () => {
    const env = testEnvironment({ REDIS_PREFIX: deployer.config.REDIS_PREFIX, USERS_FILE: deployer.config.USERS_FILE, SHUTDOWN_DRAIN_SECONDS: '3' });
    const api = await spawnApi(env);
    children.push(api);
    const worker = spawnWorker(env);
    children.push(worker);
    expect((await call(api.url, 'GET', '/system/health')).status).toBe(200);

    const file = Buffer.from(`requests==2.32.3\n# extend: sleep 6\n# ${randomBytes(6).toString('hex')}\n`);
    const tag = `python-${createHash('md5').update(file).digest('hex')}`;
    const started = await call(api.url, 'POST', '/system/api/v1/build/start', {
      auth,
      json: { source: process.env.BASE_IMAGE, target: targetOf(USERS.alice, tag), kind: 'python', file: file.toString('base64') },
    });
    expect(started.status).toBe(200);
    const id = String(started.body.id);

    let sigterm!: Promise<void>;
    const cut = await follow(api.url, id, 0, (line) => {
      if (/extend: sleeping/.test(line) && !sigterm) {
        sigterm = (async () => {
          api.kill('SIGTERM');
          // While it drains: not ready, but still answering.
          await new Promise((resolve) => setTimeout(resolve, 300));
          const health = await call(api.url, 'GET', '/system/health');
          expect(health.status).toBe(503);
          expect(health.body).toMatchObject({ status: 'ko', message: 'Not ready: shutting down' });
          expect((await call(api.url, 'GET', '/system/health/live')).status).toBe(200);
          expect((await call(api.url, 'GET', `/system/api/v1/build/${id}`, { auth })).body.state).toBe('running');
        })();
      }
    });
    await sigterm;
    expect(cut.clean).toBe(true);
    const last = cut.lines[cut.lines.length - 1];
    expect(reconnectFrom(last)).toBe(cut.lines.length - 1);
    await exited(api);

    // Another replica picks up where the first stopped: every line once, to the end.
    const rest = await follow(deployer.url, id, reconnectFrom(last)!, () => undefined);
    expect(rest.clean).toBe(true);
    expect((await waitForBuild(deployer.url, auth, id)).state).toBe('succeeded');
    const whole = (await call(deployer.url, 'GET', `/system/api/v1/build/${id}/logs`, { auth })).body.lines as string[];
    expect([...cut.lines.slice(0, -1), ...rest.lines]).toEqual(whole);
  });
});
