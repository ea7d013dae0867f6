import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(tmpdir(), 'deployer-test-artifacts');

describe('queue dashboard at /system/queues (admins only, real headless Chromium)', () => {
  let deployer: TestDeployer;
  let browser: Browser;
  const token = randomBytes(16).toString('hex');

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true, env: { ADMIN_LOGINS: USERS.bob.login, ADMIN_TOKEN: token } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await deployer?.close();
  });

  it.each([
    ['no credentials', undefined],
    ['a wrong token', `Basic ${Buffer.from(`admin:${token}x`).toString('base64')}`],
    ['a valid key of a user who is not an admin', `Basic ${Buffer.from(`${USERS.alice.uuid}:${USERS.alice.key}`).toString('base64')}`],
  ])('refuses %s', async (_case, auth) => {
    const answer = await fetch(`${deployer.url}/system/queues/`, { headers: auth ? { authorization: auth } : {} });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
    const api = await fetch(`${deployer.url}/system/queues/api/queues`, { headers: auth ? { authorization: auth } : {} });
    expect(api.status).toBe(401);
  });

  it('shows a finished build to an admin who logs in with an OpenWhisk key, without secrets', async () => {
    const auth = authorization(USERS.alice);
    const started = await call(deployer.url, 'POST', '/system/api/v1/build/start', {
      auth,
      json: {
        source: process.env.BASE_IMAGE,
        target: targetOf(USERS.alice, 'dashboard'),
        kind: 'python',
        file: Buffer.from(`wheel\n# ${randomBytes(4).toString('hex')}\n`).toString('base64'),
      },
    });
    const id = String(started.body.id);
    expect((await waitForBuild(deployer.url, auth, id)).state).toBe('succeeded');

    const context = await browser.newContext({
      httpCredentials: { username: USERS.bob.uuid, password: USERS.bob.key },
      viewport: { width: 1280, height: 800 },
    });
    try {
      const page = await context.newPage();
      const blank = await page.screenshot({ type: 'png' });
      const response = await page.goto(`${deployer.url}/system/queues/queue/builds?status=completed`);
      expect(response?.status()).toBe(200);
      await page.getByText(id, { exact: false }).first().waitFor({ timeout: 30_000 });
      const body = await page.textContent('body');
      expect(body).toContain('builds');
      expect(body).not.toContain(USERS.alice.key);
      const shot = await page.screenshot({ type: 'png', fullPage: true });
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, 'queue-dashboard.png');
      writeFileSync(path, shot);
      console.log(`queue dashboard screenshot: ${path}`);
      // A blank page of the same size compresses to almost nothing; the dashboard does not.
      expect(shot.length).toBeGreaterThan(blank.length * 4);

      const api = await context.request.get(`${deployer.url}/system/queues/api/queues?activeQueue=builds&status=completed&page=1`);
      expect(api.status()).toBe(200);
      const text = await api.text();
      expect(text).toContain(id);
      expect(text).not.toContain(USERS.alice.key);
    } finally {
      await context.close();
    }
  });

  it('lets ADMIN_TOKEN in', async () => {
    const answer = await fetch(`${deployer.url}/system/queues/api/queues`, {
      headers: { authorization: `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}` },
    });
    expect(answer.status).toBe(200);
    const queues = ((await answer.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(queues).toEqual(['builds', 'maintenance']);
  });
});
