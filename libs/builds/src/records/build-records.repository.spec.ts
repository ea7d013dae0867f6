import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '#libs/config';
import { alreadyBuiltRecord, type BuildRecord } from './build-record.js';
import { queuedBuildRecord } from '../../../../test/support/build-record.fixture.js';
import { BuildRecordsRepository } from './build-records.repository.js';

/** The build state machine against a real Redis (the test setup starts one): claim, run, finish, exactly once. */
describe('BuildRecordsRepository', () => {
  const prefix = `spec-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({ ...process.env, REDIS_PREFIX: prefix, MAX_ACTIVE_BUILDS_PER_USER: '2' });
  const redis = new Redis({ host: config.REDIS_HOST, port: config.REDIS_PORT });
  const records = new BuildRecordsRepository(redis, config);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  let n = 0;
  const record = (login: string, claim = `claim-${(n += 1)}`): BuildRecord =>
    queuedBuildRecord(login, { claim, hasFile: true, identity: 'f'.repeat(64) });
  const login = () => `u${randomBytes(3).toString('hex')}`;

  it('creates a build, and an identical request joins it while it is queued or running', async () => {
    const who = login();
    const first = record(who, 'same');
    expect(await records.claim(first, Buffer.from('six\n'))).toEqual({ outcome: 'created', id: first.id, inFlight: 1 });
    expect(await records.claim(record(who, 'same'), Buffer.from('six\n'))).toEqual({ outcome: 'joined', id: first.id });
    expect((await records.getFile(first.id))?.toString()).toBe('six\n');
    expect(await records.markRunning(first.id)).toBe(true);
    expect(await records.claim(record(who, 'same'), null)).toEqual({ outcome: 'joined', id: first.id });
    // Another build of the same user counts both in flight (its fair-share rank).
    const second = record(who);
    expect(await records.claim(second, null)).toEqual({ outcome: 'created', id: second.id, inFlight: 2 });
  });

  it('stores a dependency file given as text as its UTF-8 bytes, as the same file given as bytes', async () => {
    const text = 'requests==2.32.3  # café ✓\n';
    const [asText, asBytes] = [record(login()), record(login())];
    await records.claim(asText, text);
    await records.claim(asBytes, Buffer.from(text, 'utf8'));
    const stored = await records.getFile(asText.id);
    expect(stored).toEqual(Buffer.from(text, 'utf8'));
    expect(stored).toEqual(await records.getFile(asBytes.id));
  });

  it('limits a user to MAX_ACTIVE_BUILDS_PER_USER queued or running builds, others unaffected', async () => {
    const who = login();
    const [a, b] = [record(who), record(who)];
    await records.claim(a, null);
    await records.claim(b, null);
    expect(await records.claim(record(who), null)).toEqual({ outcome: 'limited', active: 2 });
    expect((await records.claim(record(login()), null)).outcome).toBe('created');
    // A finished build frees its place.
    await records.finish(a, { state: 'succeeded', digest: 'sha256:1' });
    expect((await records.claim(record(who), null)).outcome).toBe('created');
  });

  it('answers identical requests for an existing image with the record stored first, read in the same step', async () => {
    const who = login();
    const first = alreadyBuiltRecord(record(who, 'exists'), 'sha256:' + 'a'.repeat(64), Date.now());
    expect(await records.saveExisting(first)).toBe(first);
    const again = alreadyBuiltRecord(record(who, 'exists'), 'sha256:' + 'a'.repeat(64), Date.now());
    const answer = await records.saveExisting(again);
    expect(answer).toEqual(await records.get(first.id));
    expect(answer.id).toBe(first.id);
    expect(await records.get(again.id)).toBeNull();
    // Another digest is another image: stored on its own.
    const rebuilt = alreadyBuiltRecord(record(who, 'exists'), 'sha256:' + 'b'.repeat(64), Date.now());
    expect((await records.saveExisting(rebuilt)).id).toBe(rebuilt.id);
  });

  it('stores every field as given, whatever its characters, whether claimed or already built', async () => {
    const awkward = 'quote " backslash \\ newline \n tab \t é 漢 😀 \u0001 [1,2] {"a":1}';
    const claimed = { ...record(login()), source: awkward, requestId: awkward, message: awkward, logTail: [awkward, ''] };
    expect((await records.claim(claimed, null)).outcome).toBe('created');
    expect(await records.get(claimed.id)).toEqual(claimed);
    const built = { ...alreadyBuiltRecord(record(login()), 'sha256:' + 'c'.repeat(64), Date.now()), source: awkward, message: awkward };
    expect(await records.saveExisting(built)).toBe(built);
    expect(await records.get(built.id)).toEqual(built);
  });

  it('marks a build running once, and never a finished one', async () => {
    const build = record(login());
    await records.claim(build, null);
    expect(await records.markRunning(build.id, 1_000)).toBe(true);
    expect((await records.get(build.id))?.state).toBe('running');
    await records.finish(build, { state: 'failed', reason: 'Cancelled', message: 'the build was cancelled' });
    expect(await records.markRunning(build.id)).toBe(false);
    expect((await records.get(build.id))?.state).toBe('failed');
  });

  it('records the outcome exactly once: a second report changes nothing', async () => {
    const build = record(login());
    await records.claim(build, Buffer.from('x\n'));
    await records.markRunning(build.id);
    expect(await records.finish(build, { state: 'succeeded', digest: 'sha256:aa' })).toBe(true);
    expect(await records.finish(build, { state: 'failed', reason: 'BuilderUnavailable', message: 'late' })).toBe(false);
    expect(await records.get(build.id)).toMatchObject({ state: 'succeeded', digest: 'sha256:aa', reason: '' });
    // The dependency file goes with the outcome, and the claim is free for a new build.
    expect(await records.getFile(build.id)).toBeNull();
    expect((await records.claim(record(build.login, build.claim), null)).outcome).toBe('created');
  });

  it('answers the first report with the finished record as stored, having dropped the file and credentials; a later one with null', async () => {
    const build = record(login());
    await records.claim(build, Buffer.from('y\n'));
    await records.saveCredentials(build.id, 'user:s3cret');
    await records.markRunning(build.id, 2_000);
    const finished = await records.finishAndRead(build, { state: 'failed', reason: 'BuildFailed', message: 'no', logTail: ['e'] }, 5_000);
    expect(finished).toEqual(await records.get(build.id));
    expect(finished).toMatchObject({ state: 'failed', reason: 'BuildFailed', startedAt: 2_000, finishedAt: 5_000, logTail: ['e'] });
    expect(await records.getFile(build.id)).toBeNull();
    expect(await records.getCredentials(build.id)).toBeNull();
    expect(await records.finishAndRead(build, { state: 'succeeded', digest: 'sha256:dd' })).toBeNull();
    // The log ends in the same step, once, with the first report's state (and expires with the record).
    const log = `${prefix}:build:${build.id}:log`;
    expect((await redis.xrange(log, '-', '+')).map(([, fields]) => fields)).toEqual([['end', 'failed']]);
    expect(await redis.ttl(log)).toBeGreaterThan(0);
  });

  it('keeps credentials beside the build until it finishes, never in its record', async () => {
    const build = record(login());
    await records.claim(build, null);
    await records.saveCredentials(build.id, 'user:s3cret');
    expect(await records.getCredentials(build.id)).toBe('user:s3cret');
    expect(JSON.stringify(await records.get(build.id))).not.toContain('s3cret');
    await records.finish(build, { state: 'succeeded', digest: 'sha256:bb' });
    expect(await records.getCredentials(build.id)).toBeNull();
  });

  it('hands a stored build to the intake with its credentials in the same step, and nothing for a joined or limited one', async () => {
    const who = login();
    const intake = `${prefix}:build-intake`;
    const length = () => redis.xlen(intake);
    const before = await length();
    const build = record(who, 'handed');
    expect(await records.claim(build, null, { intake: true, credentials: 'user:s3cret' })).toMatchObject({ outcome: 'created', inFlight: 1 });
    const [[, fields]] = await redis.xrevrange(intake, '+', '-', 'COUNT', 1);
    expect(fields).toEqual(['id', build.id, 'inFlight', '1']);
    expect(await records.getCredentials(build.id)).toBe('user:s3cret');
    // Joined: the holder is in the intake already; the joiner's credentials are not kept.
    const joiner = record(who, 'handed');
    expect((await records.claim(joiner, null, { intake: true, credentials: 'other:secret' })).outcome).toBe('joined');
    expect(await records.getCredentials(joiner.id)).toBeNull();
    expect((await records.claim(record(who), null, { intake: true })).outcome).toBe('created');
    expect((await records.claim(record(who), null, { intake: true })).outcome).toBe('limited');
    // Without a handover (the caller enqueues itself), the intake is left alone.
    expect((await records.claim(record(login()), null)).outcome).toBe('created');
    expect(await length()).toBe(before + 2);
  });

  it("lists a user's builds newest first and deletes only their finished ones older than the cutoff", async () => {
    const who = login();
    const old = { ...record(who), createdAt: 1_000 };
    const recent = { ...record(who), createdAt: 5_000 };
    const running = { ...record(who), createdAt: 2_000 };
    for (const build of [old, recent]) await records.claim(build, null);
    await records.finish(old, { state: 'failed', reason: 'BuildFailed', message: 'x' }, 1_500);
    await records.finish(recent, { state: 'succeeded', digest: 'sha256:cc' }, 6_000);
    expect((await records.claim(running, null)).outcome).toBe('created');
    await records.markRunning(running.id);
    expect((await records.listForUser(who)).map((b) => b.id)).toEqual([recent.id, running.id, old.id]);
    expect(await records.deleteFinishedBefore(who, 3_000)).toBe(1);
    expect((await records.listForUser(who)).map((b) => b.id)).toEqual([recent.id, running.id]);
  });
});
