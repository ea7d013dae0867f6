import { ensureBuildId, ensureImageTag, ensureJobName, ensureRecordId, isEnsureId } from './ensure-identity.js';

describe('ensure identity', () => {
  const base = { builder: 'python:3.13', kind: 'python', source: 'apache/openserverless-runtime-python:v3.13', file: Buffer.from('requests\n') };

  it('is 64 hex, the same for the same content and different for any other part', () => {
    const id = ensureBuildId(base);
    expect(isEnsureId(id)).toBe(true);
    expect(ensureBuildId({ ...base, file: Buffer.from('requests\n') })).toBe(id);
    const variants = [
      { ...base, builder: 'python:3.12' },
      { ...base, kind: 'nodejs' },
      { ...base, source: 'apache/openserverless-runtime-python:v3.12' },
      { ...base, file: Buffer.from('requests') },
      { ...base, file: null },
    ].map(ensureBuildId);
    expect(new Set([id, ...variants]).size).toBe(6);
  });

  it('cannot be shifted between fields', () => {
    expect(ensureBuildId({ ...base, builder: 'a', kind: 'b:c' })).not.toBe(ensureBuildId({ ...base, builder: 'a:b', kind: 'c' }));
  });

  it('tags the image <kind>-<20 hex> and keeps record ids and Job names per user', () => {
    const id = ensureBuildId(base);
    expect(ensureImageTag('python', id)).toBe(`python-${id.slice(0, 20)}`);
    const mine = ensureRecordId('Devel', id);
    expect(mine).toMatch(/^[0-9a-f]{20}$/);
    expect(ensureRecordId('devel', id)).toBe(mine);
    expect(ensureRecordId('other', id)).not.toBe(mine);
    const first = ensureJobName('devel', mine, 0);
    const retried = ensureJobName('devel', mine, 1);
    expect(first).toBe(`build-devel-${mine}`);
    expect(retried).not.toBe(first);
    for (const name of [first, retried, ensureJobName('x'.repeat(80), mine, 999)]) {
      expect(name).toMatch(/^build-[a-z0-9-]+$/);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('refuses ids that are not 64 lowercase hex', () => {
    for (const bad of ['', 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), 'not-a-digest', `${'a'.repeat(63)}g`]) expect(isEnsureId(bad)).toBe(false);
  });
});
