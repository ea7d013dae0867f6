import fc from 'fast-check';
import { request } from 'node:http';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { call } from '../support/http-client.js';
import { pushTinyImage } from '../support/registry-uploader.js';
import {
  API,
  FuzzRequest,
  FuzzWorld,
  VALID_FILES,
  requestArbitrary,
  startRequestArbitrary,
} from '../support/request-arbitraries.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Sends the request as generated: node:http neither normalises the path nor refuses a body on GET. */
function send(port: number, fuzz: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (fuzz.authorization !== undefined) headers.authorization = fuzz.authorization;
    if (fuzz.contentType !== undefined) headers['content-type'] = fuzz.contentType;
    const body = fuzz.body !== undefined && fuzz.method !== 'HEAD' ? Buffer.from(fuzz.body, 'utf8') : undefined;
    if (body) headers['content-length'] = String(body.length);
    const outgoing = request(
      { host: '127.0.0.1', port, method: fuzz.method, path: fuzz.path, headers, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

interface RawAnswer {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  body: string;
}

/**
 * Writes bytes as they are, for framing no HTTP client would produce, and
 * reads one answer: its status line and a Content-Length body.
 */
function rawExchange(port: number, head: string, body: string, halfClose = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const parse = (): RawAnswer | undefined => {
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (received.length < end + 4 + length) return undefined;
      return { status, body: received.subarray(end + 4, end + 4 + length).toString('utf8') };
    };
    const finish = (answer: RawAnswer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse();
      if (answer) finish(answer);
    });
    socket.on('close', () => resolve(parse() ?? { status: 0, body: '' }));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    const bytes = `${head}\r\n\r\n${body}`;
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

/** The error wire format, exactly: `{"status":"ko","message":string}` as JSON. */
function expectErrorShape(fuzz: FuzzRequest, answer: Answer): void {
  if (answer.status < 400 || fuzz.method === 'HEAD') return;
  expect(answer.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['message', 'status']);
  expect(body.status).toBe('ko');
  expect(typeof body.message).toBe('string');
}

/** A collected GC, when V8 lets us have one; the flag only exposes gc to contexts made after it. */
function collector(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
  return gc;
}

const heapAfterGc = async (gc: (() => void) | undefined) => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
};

describe('API fuzzing (fast-check)', () => {
  let deployer: TestDeployer;
  let port: number;
  let world: FuzzWorld;
  const users = [USERS.alice, USERS.aliceB, USERS.bob];
  /** Build ids that should sit in the queue: accepted, not joined, not cancelled. */
  const enqueued = new Set<string>();
  let requests = 0;

  const jobs = async () => {
    await deployer.handedOver();
    return Object.values(await deployer.queue.getJobCounts()).reduce((a, b) => a + b, 0);
  };
  const records = async () => {
    let total = 0;
    for (const u of users) total += await deployer.redis.zcard(`${deployer.config.REDIS_PREFIX}:user:${u.login.toLowerCase()}:builds`);
    return total;
  };

  /** What an answer says the request changed: queued jobs and stored build records. */
  const effectOf = (fuzz: FuzzRequest, answer: Answer): { jobs: number; records: number } => {
    if (fuzz.method === 'HEAD' || answer.status !== 200 || !answer.contentType.startsWith('application/json')) {
      return { jobs: 0, records: 0 };
    }
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    const path = fuzz.path.split(/[?#]/)[0].toLowerCase();
    if (fuzz.method === 'POST' && /\/build\/start\/?$/.test(path)) {
      if (body.coalesced !== false) return { jobs: 0, records: 0 };
      if (body.state === 'queued') enqueued.add(String(body.id));
      return { jobs: body.state === 'queued' ? 1 : 0, records: 1 };
    }
    if (fuzz.method === 'DELETE' && /\/build\/[^/]+\/?$/.test(path) && body.reason === 'Cancelled') {
      const wasQueued = enqueued.delete(String(body.id));
      return { jobs: wasQueued ? -1 : 0, records: 0 };
    }
    if (fuzz.method === 'POST' && /\/build\/cleanup\/?$/.test(path)) return { jobs: 0, records: -Number(body.deleted) };
    return { jobs: 0, records: 0 };
  };

  /** One request with every check that holds for any request. */
  const exercise = async (fuzz: FuzzRequest) => {
    const before = { jobs: await jobs(), records: await records() };
    const answer = await send(port, fuzz);
    requests++;
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(500);
    // No cap and no failed-authentication limit in this deployer: a 429 would hide an answer.
    expect(answer.status).not.toBe(429);
    expectErrorShape(fuzz, answer);
    const effect = effectOf(fuzz, answer);
    expect({ jobs: await jobs(), records: await records() }).toEqual({
      jobs: before.jobs + effect.jobs,
      records: before.records + effect.records,
    });
  };

  beforeAll(async () => {
    deployer = await startTestDeployer({ env: { MAX_ACTIVE_BUILDS_PER_USER: '0', AUTH_FAILURES_PER_WINDOW: '0' } });
    port = Number(new URL(deployer.url).port);
    const source = process.env.BASE_IMAGE ?? 'openserverless/runtime-base:local';
    const buildIds: string[] = [];
    for (const [i, u] of users.entries()) {
      const answer = await call(deployer.url, 'POST', `${API}/build/start`, {
        auth: authorization(u),
        json: { source, target: targetOf(u, `fuzz-seed-${i}`), kind: 'python', file: Buffer.from(VALID_FILES.python).toString('base64') },
      });
      expect(answer.status).toBe(200);
      buildIds.push(String(answer.body.id));
      enqueued.add(String(answer.body.id));
    }
    const tags = ['fuzz-a', 'fuzz-b'];
    for (const tag of tags) await pushTinyImage(deployer.config.REGISTRY_HOST!, USERS.alice.login.toLowerCase(), tag);
    world = { user: USERS.alice, others: [USERS.aliceB, USERS.bob], buildIds, tags, source };
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it('answers every generated request on every endpoint below 500, errors as {"status":"ko","message"}, enqueuing only what it accepts', async () => {
    await fc.assert(fc.asyncProperty(requestArbitrary(world), exercise), { numRuns: 1_600 });
  });

  it('validates mutated start bodies without storing or enqueuing the refused ones', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(startRequestArbitrary(world), async (fuzz) => {
        const queued = enqueued.size;
        await exercise(fuzz);
        if (enqueued.size > queued) accepted++;
        else refused++;
      }),
      { numRuns: 800 },
    );
    // Both sides of the validation were exercised, or the property proved little.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(200);
  });

  it('survives malformed HTTP framing and odd lengths', async () => {
    const auth = authorization(USERS.alice);
    const raws: Promise<RawAnswer>[] = [];
    const post = (headers: string[], body: string) =>
      rawExchange(port, [`POST ${API}/build/start HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: ${auth}`, ...headers].join('\r\n'), body);
    const cases: [string, () => Promise<RawAnswer>, number][] = [
      ['body over the limit', () => post(['Content-Type: application/json', 'Content-Length: 1100000'], `"${'a'.repeat(1_099_998)}"`), 413],
      ['chunked body', () => post(['Content-Type: application/json', 'Transfer-Encoding: chunked'], '2\r\n{}\r\n0\r\n\r\n'), 400],
      ['chunked body without a content type', () => post(['Transfer-Encoding: chunked'], '2\r\n{}\r\n0\r\n\r\n'), 415],
      ['empty text body', () => post(['Content-Type: text/plain', 'Content-Length: 0'], ''), 400],
      ['JSON in UTF-16 that decodes to nothing valid', () => post(['Content-Type: application/json; charset=utf-16', 'Content-Length: 4'], '{}{}'), 400],
      ['JSON in Latin-1', () => post(['Content-Type: application/json; charset=latin1', 'Content-Length: 2'], '{}'), 415],
    ];
    for (const [name, exchange, status] of cases) {
      const answer = await exchange();
      expect({ name, status: answer.status }).toEqual({ name, status });
      expect(JSON.parse(answer.body)).toEqual({ status: 'ko', message: expect.any(String) });
    }
    // Refused by Node's HTTP parser, some before the application sees them: never a 5xx, and the server goes on.
    raws.push(post(['Content-Type: application/json', 'Content-Length: 5'], '{"source":"x"}'));
    for (const head of [
      `POST ${API}/build/start HTTP/1.1\r\nHost: x\r\nContent-Length: abc`,
      `POST ${API}/build/start HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked`,
      `GET ${API}/build HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}`,
      `GET /system/health HTTP/9.9\r\nHost: x`,
    ]) {
      raws.push(rawExchange(port, head, '', true));
    }
    for (const answer of await Promise.all(raws)) {
      expect(answer.status === 0 || (answer.status >= 400 && answer.status < 500)).toBe(true);
      // What the parser refuses is answered in the service's JSON error format too.
      if (answer.status !== 0) expect(JSON.parse(answer.body)).toEqual({ status: 'ko', message: expect.any(String) });
    }
    requests += cases.length + raws.length;
    expect((await call(deployer.url, 'GET', '/system/health/live')).status).toBe(200);
  });

  it('stays alive with a bounded heap and no polluted prototype', async () => {
    const gc = collector();
    const batch = async (seed: number) => {
      const sample = fc.sample(requestArbitrary(world), { numRuns: 300, seed });
      let next = 0;
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < sample.length) {
            const answer = await send(port, sample[next++]);
            statuses.push(answer.status);
          }
        }),
      );
      requests += sample.length;
      return statuses;
    };
    await batch(1);
    const first = await heapAfterGc(gc);
    const statuses = await batch(2);
    const second = await heapAfterGc(gc);
    expect(statuses.filter((s) => s >= 500 || s === 0)).toEqual([]);
    // With a real GC the growth is noise; without one, garbage that has not been collected yet counts too.
    expect(second - first).toBeLessThan((gc ? 8 : 50) * 1024 * 1024);

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call(deployer.url, 'GET', '/system/health')).body).toEqual({ status: 'ok', checks: { redis: 'up', driver: 'down' } });
    const accepted = await call(deployer.url, 'POST', `${API}/build/start`, {
      auth: authorization(USERS.alice),
      json: { source: world.source, target: targetOf(USERS.alice, 'fuzz-after'), kind: 'go', file: Buffer.from(VALID_FILES.go).toString('base64') },
    });
    expect(accepted.body).toMatchObject({ status: 'ok', state: 'queued', coalesced: false });
    enqueued.add(String(accepted.body.id));
    expect(requests).toBeGreaterThanOrEqual(2_900);
  });

  it('leaves in the queue exactly the builds it accepted and did not cancel', async () => {
    // Requests of the concurrent batches were not booked one by one: book their accepted builds from the records.
    await deployer.handedOver();
    const all = await deployer.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children']);
    const queuedIds = new Set(all.map((job) => String(job.id)));
    for (const id of enqueued) {
      const state = await deployer.redis.hget(`${deployer.config.REDIS_PREFIX}:build:${id}`, 'state');
      // A concurrent DELETE may have cancelled it, which takes it out of the queue.
      expect({ id, queued: queuedIds.has(id) }).toEqual({ id, queued: state === 'queued' });
    }
    for (const id of queuedIds) {
      const state = await deployer.redis.hget(`${deployer.config.REDIS_PREFIX}:build:${id}`, 'state');
      expect({ id, state }).toEqual({ id, state: 'queued' });
    }
  });
});
