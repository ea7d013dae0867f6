import { randomBytes } from 'node:crypto';
import { loadConfig } from '#libs/config';
import { FAILURE_REASON_NAMES } from '#libs/errors';
import { freeLoopbackPort } from '#libs/devenv';
import { createApiApp } from '../../apps/api/src/create-api-app.js';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { startTestDeployer, testEnvironment, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

const START = '/system/api/v1/build/start';
const HTTP_DURATION = 'deployer_http_request_duration_seconds';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (label values here hold no escaped quotes). */
const parseMetrics = (text: string): Sample[] =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });

/** The value of the one sample with this name and these labels (among others), or undefined. */
const valueOf = (samples: Sample[], name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const scrape = async (deployer: TestDeployer) => {
  const response = await fetch(`${deployer.url}/system/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
};

describe('operations endpoints', () => {
  let deployer: TestDeployer;
  const alice = authorization(USERS.alice);

  beforeAll(async () => {
    deployer = await startTestDeployer();
  });
  afterAll(async () => {
    await deployer?.close();
  });

  describe('OpenAPI', () => {
    let document: {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string; description: string }>; schemas: Record<string, unknown> };
    };
    beforeAll(async () => {
      const answer = await call(deployer.url, 'GET', '/system/apidocs-json');
      expect(answer.status).toBe(200);
      document = answer.body as typeof document;
    });

    const buildOperations: [string, string][] = [
      ['/system/api/v1/build/start', 'post'],
      ['/system/api/v1/build/cleanup', 'post'],
      ['/system/api/v1/build', 'get'],
      ['/system/api/v1/build/{id}', 'get'],
      ['/system/api/v1/build/{id}/logs', 'get'],
      ['/system/api/v1/build/ensure', 'post'],
      ['/system/api/v1/build/capabilities', 'get'],
    ];

    it('lists every route', () => {
      for (const [path, method] of buildOperations) expect(document.paths[path]?.[method]).toBeDefined();
      expect(document.paths['/system/health']?.get).toBeDefined();
      expect(document.paths['/system/health/live']?.get).toBeDefined();
      expect(document.paths['/system/metrics']?.get).toBeDefined();
    });

    it('declares HTTP basic auth with the OpenWhisk key, required by the build routes only', () => {
      expect(document.components.securitySchemes.openwhisk).toMatchObject({ type: 'http', scheme: 'basic' });
      expect(document.components.securitySchemes.openwhisk.description).toMatch(/uuid.*key.*bare/s);
      for (const [path, method] of buildOperations) {
        expect(document.paths[path][method].security).toEqual([{ openwhisk: [] }]);
      }
      for (const path of ['/system/health', '/system/health/live', '/system/metrics']) {
        expect(document.paths[path].get.security).toBeUndefined();
      }
    });

    it('documents the 200 shape and the error answers of each build route', () => {
      const errorRef = { $ref: '#/components/schemas/ErrorResponseDto' };
      const expected: Record<string, string[]> = {
        'post /system/api/v1/build/start': ['400', '401', '403', '413', '415', '429', '502', '503'],
        'post /system/api/v1/build/cleanup': ['400', '401', '413', '415', '503'],
        'get /system/api/v1/build': ['400', '401', '503'],
        'get /system/api/v1/build/{id}': ['400', '401', '404', '503'],
        'get /system/api/v1/build/{id}/logs': ['400', '401', '404', '429', '503'],
        'delete /system/api/v1/build/{id}': ['401', '404', '409', '503'],
        'post /system/api/v1/build/ensure': ['400', '401', '413', '415', '429', '503'],
        'get /system/api/v1/build/capabilities': ['401', '503'],
      };
      // The ensure answers other than 200, in the ensure answer's own shape rather than the error format.
      const ensureRef = { $ref: '#/components/schemas/EnsureBuildResponseDto' };
      for (const path of ['/system/api/v1/build/ensure', '/system/api/v1/build/{id}']) {
        const method = path.endsWith('ensure') ? 'post' : 'get';
        for (const status of ['202', '409']) {
          expect(document.paths[path][method].responses[status]).toMatchObject({ content: { 'application/json': { schema: ensureRef } } });
        }
      }
      const ensureStatuses = (path: string, method: string) => (['202', '409'].every((s) => s in document.paths[path][method].responses) ? ['202', '409'] : []);
      for (const [path, method] of buildOperations) {
        const { responses } = document.paths[path][method];
        expect(Object.keys(responses).sort()).toEqual(['200', ...ensureStatuses(path, method), ...expected[`${method} ${path}`]].sort());
        for (const status of expected[`${method} ${path}`]) {
          expect(responses[status]).toMatchObject({ content: { 'application/json': { schema: errorRef } } });
        }
      }
      expect(document.components.schemas.ErrorResponseDto).toMatchObject({
        required: expect.arrayContaining(['status', 'message']),
        properties: { status: { enum: ['ko'] }, message: { type: 'string' } },
      });
      expect(document.components.schemas.StartBuildResponseDto).toMatchObject({
        properties: {
          data: { allOf: [{ $ref: '#/components/schemas/BuildReferenceDto' }] },
          job_name: { type: 'string' },
          coalesced: { type: 'boolean' },
        },
      });
      expect(document.components.schemas.StartBuildDto).toMatchObject({
        required: expect.arrayContaining(['source', 'target', 'kind']),
        properties: { kind: { enum: expect.arrayContaining(['python', 'dotnet']) }, force: { type: 'boolean' } },
      });
      // `reason` is the failure catalogue, by reference, in both views of a build.
      expect(document.components.schemas.FailureReason).toMatchObject({ type: 'string', enum: FAILURE_REASON_NAMES });
      for (const view of ['BuildViewDto', 'EnsureBuildResponseDto']) {
        expect(document.components.schemas[view]).toMatchObject({ properties: { reason: { allOf: [{ $ref: '#/components/schemas/FailureReason' }] } } });
      }
    });

    it('serves the UI', async () => {
      const response = await fetch(`${deployer.url}/system/apidocs`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/swagger-ui/i);
    });
  });

  describe('health', () => {
    it('is ready while Redis answers', async () => {
      const answer = await call(deployer.url, 'GET', '/system/health');
      expect(answer.status).toBe(200);
      // No worker runs beside this API: the driver is reported down, which does not make the API unready.
      expect(answer.body).toEqual({ status: 'ok', checks: { redis: 'up', driver: 'down' } });
    });

    it('is live, without authorization', async () => {
      const answer = await call(deployer.url, 'GET', '/system/health/live');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ok' });
    });

    /**
     * The application alone, not the harness: the harness's own clients wait
     * for their Redis to come back, while the application must not.
     */
    it('answers 503 naming Redis when nothing listens on its port, and stays live', async () => {
      const port = await freeLoopbackPort();
      const started = Date.now();
      const app = await createApiApp(loadConfig(testEnvironment({ REDIS_PORT: String(port) })), []);
      try {
        await app.listen(0, '127.0.0.1');
        expect(Date.now() - started).toBeLessThan(10_000);
        const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;

        const asked = Date.now();
        const answer = await call(url, 'GET', '/system/health');
        expect(Date.now() - asked).toBeLessThan(3_000);
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({ status: 'ko', message: 'Not ready: redis down', checks: { redis: 'down', driver: 'down' } });
        expect((await call(url, 'GET', '/system/health/live')).status).toBe(200);

        const scraped = Date.now();
        const metrics = await fetch(`${url}/system/metrics`);
        expect(metrics.status).toBe(200);
        expect(Date.now() - scraped).toBeLessThan(5_000);
        const samples = parseMetrics(await metrics.text());
        expect(valueOf(samples, `${HTTP_DURATION}_count`, { route: '/system/health', status: '503' })).toBe(1);
        expect(samples.some((s) => s.name.startsWith('deployer_queue_jobs'))).toBe(false);
      } finally {
        const closing = Date.now();
        await app.close();
        expect(Date.now() - closing).toBeLessThan(5_000);
      }
    });
  });

  describe('metrics', () => {
    it('times every request by method, route template and status, errors included', async () => {
      const id = 'zzzzzzzzzzzzzzzzzzzz';
      await call(deployer.url, 'GET', '/system/api/v1/build', { auth: alice });
      await call(deployer.url, 'GET', `/system/api/v1/build/${id}`, { auth: alice });
      await call(deployer.url, 'GET', '/system/api/v1/build');
      await call(deployer.url, 'POST', START, { auth: alice, body: 'a=b', contentType: 'application/x-www-form-urlencoded' });
      await call(deployer.url, 'GET', `/no/such/path/${randomBytes(4).toString('hex')}`);

      const samples = await scrape(deployer);
      const count = (method: string, route: string, status: string) =>
        valueOf(samples, `${HTTP_DURATION}_count`, { method, route, status });
      expect(count('GET', '/system/api/v1/build', '200')).toBeGreaterThanOrEqual(1);
      expect(count('GET', '/system/api/v1/build/:id', '404')).toBeGreaterThanOrEqual(1);
      expect(count('GET', '/system/api/v1/build', '401')).toBeGreaterThanOrEqual(1);
      expect(count('POST', '/system/api/v1/build/start', '415')).toBeGreaterThanOrEqual(1);
      expect(count('GET', 'unmatched', '404')).toBeGreaterThanOrEqual(1);
      expect(samples.some((s) => s.labels.route?.includes('zzzz') || s.labels.route?.startsWith('/no/'))).toBe(false);
      const infinite = valueOf(samples, `${HTTP_DURATION}_bucket`, {
        method: 'GET',
        route: '/system/api/v1/build',
        status: '200',
        le: '+Inf',
      });
      expect(infinite).toBe(count('GET', '/system/api/v1/build', '200'));
    });

    it('counts a new build as accepted and an identical request as coalesced', async () => {
      const kind = { kind: 'ruby' };
      const before = await scrape(deployer);
      const body = {
        source: 'openserverless/runtime-ruby:v3.3',
        target: targetOf(USERS.alice, `ruby-${randomBytes(4).toString('hex')}`),
        kind: 'ruby',
        file: Buffer.from("source 'https://rubygems.org'\ngem 'rack'\n").toString('base64'),
      };
      const first = await call(deployer.url, 'POST', START, { auth: alice, json: body });
      const second = await call(deployer.url, 'POST', START, { auth: alice, json: body });
      expect([first.body.coalesced, second.body.coalesced]).toEqual([false, true]);

      const after = await scrape(deployer);
      const delta = (name: string) => (valueOf(after, name, kind) ?? 0) - (valueOf(before, name, kind) ?? 0);
      expect(delta('deployer_builds_accepted_total')).toBe(1);
      expect(delta('deployer_builds_coalesced_total')).toBe(1);
      expect(valueOf(before, 'deployer_builds_accepted_total', { kind: 'go' })).toBe(0);
      expect(valueOf(after, 'deployer_queue_jobs', { state: 'waiting' })).toBeGreaterThanOrEqual(1);
    });
  });
});

describe('build outcome metrics (worker and API share them through Redis)', () => {
  let deployer: TestDeployer;
  const auth = authorization(USERS.alice);

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it('exposes the finished counter and the duration histogram after a build', async () => {
    const file = Buffer.from(`requests==2.32.3\n# ${randomBytes(6).toString('hex')}\n`);
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: {
        source: String(process.env.BASE_IMAGE),
        target: targetOf(USERS.alice, `metrics-${randomBytes(4).toString('hex')}`),
        kind: 'python',
        file: file.toString('base64'),
      },
    });
    expect(answer.status).toBe(200);
    const status = await waitForBuild(deployer.url, auth, String(answer.body.id));
    expect(status.state).toBe('succeeded');
    expect((await call(deployer.url, 'GET', '/system/health')).body).toEqual({ status: 'ok', checks: { redis: 'up', driver: 'up' } });

    const labels = { kind: 'python', state: 'succeeded' };
    let samples = await scrape(deployer);
    // The record ends a moment before BullMQ files the job as completed.
    const settled = () =>
      valueOf(samples, 'deployer_builds_finished_total', labels) !== undefined &&
      (valueOf(samples, 'deployer_queue_jobs', { state: 'completed' }) ?? 0) >= 1;
    for (let tries = 0; !settled() && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      samples = await scrape(deployer);
    }
    expect(valueOf(samples, 'deployer_builds_finished_total', labels)).toBe(1);
    expect(valueOf(samples, 'deployer_build_duration_seconds_count', labels)).toBe(1);
    expect(valueOf(samples, 'deployer_build_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    const seconds = valueOf(samples, 'deployer_build_duration_seconds_sum', labels)!;
    const started = Date.parse(String(status.started_at));
    const finished = Date.parse(String(status.finished_at));
    expect(seconds).toBeCloseTo((finished - started) / 1000, 3);
    expect(valueOf(samples, 'deployer_queue_jobs', { state: 'completed' })).toBeGreaterThanOrEqual(1);
    // Every reason of the failure catalogue is a label, 0 until a build fails so; no other label appears.
    for (const reason of FAILURE_REASON_NAMES) expect(valueOf(samples, 'deployer_build_failures_total', { reason })).toBe(0);
    expect(samples.filter((s) => s.name === 'deployer_build_failures_total')).toHaveLength(FAILURE_REASON_NAMES.length);

    const stored = await deployer.redis.hgetall(`${deployer.config.REDIS_PREFIX}:metrics:build_duration_seconds`);
    expect(Object.keys(stored).length).toBeGreaterThan(0);
  });
});
