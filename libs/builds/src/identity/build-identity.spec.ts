import { buildIdentity, buildJobName, coalescingKey, newBuildId } from './build-identity.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('build identity', () => {
  const base = { source: 'ghcr.io/x/python:v1', kind: 'python', fileSha256: 'abc' };

  it('changes with every ingredient', () => {
    const id = buildIdentity(base);
    expect(buildIdentity({ ...base })).toBe(id);
    expect(buildIdentity({ ...base, source: 'ghcr.io/x/python:v2' })).not.toBe(id);
    expect(buildIdentity({ ...base, kind: 'nodejs' })).not.toBe(id);
    expect(buildIdentity({ ...base, fileSha256: 'abd' })).not.toBe(id);
  });

  it('coalesces per login (case-insensitive) and target', () => {
    const key = coalescingKey({ login: 'Alice', target: 'alice:t', identity: 'i' });
    expect(coalescingKey({ login: 'alice', target: 'alice:t', identity: 'i' })).toBe(key);
    expect(coalescingKey({ login: 'alice', target: 'alice:u', identity: 'i' })).not.toBe(key);
  });

  it('makes unique, ordered, DNS-safe build ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newBuildId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{20}$/);
    expect(newBuildId(1000) < newBuildId(2000)).toBe(true);
  });

  it.each([
    'alice',
    'Alice.Smith',
    'user_with_underscores',
    'a'.repeat(200),
    '---',
    'ÄÖÜ',
    'dev.team-42',
  ])('job name for login %s is a DNS-1123 label', (login) => {
    const name = buildJobName(login, newBuildId());
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS_LABEL);
    expect(name.startsWith('build-')).toBe(true);
  });
});
