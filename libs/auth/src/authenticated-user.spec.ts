import { InvalidInputError } from '#libs/errors';
import { authenticatedUser, mergeUserEnv, ownerOf } from './authenticated-user.js';

describe('mergeUserEnv', () => {
  it('merges env and userenv, userenv winning', () => {
    const env = [
      { key: 'REGISTRY_HOST', value: 'registry.example:5000' },
      { key: 'LANG', value: 'C' },
    ];
    const userenv = [{ key: 'REGISTRY_HOST', value: 'mine.example:5000' }];
    expect(mergeUserEnv(env, userenv)).toEqual({ REGISTRY_HOST: 'mine.example:5000', LANG: 'C' });
  });

  it('tolerates missing fields', () => {
    expect(mergeUserEnv(undefined, undefined)).toEqual({});
    expect(mergeUserEnv([{ key: 'A', value: '1' }], undefined)).toEqual({ A: '1' });
    expect(mergeUserEnv(null, [{ key: 'B', value: '2' }])).toEqual({ B: '2' });
  });

  it('skips malformed entries', () => {
    const env = [
      { key: 'NUMBER', value: 42 },
      { key: 'NULL', value: null },
      { value: 'no key' },
      { key: '', value: 'empty key' },
      'a string',
      null,
      { key: 'KEPT', value: '' },
    ];
    expect(mergeUserEnv(env, { key: 'NOT_AN_ARRAY', value: 'x' })).toEqual({ KEPT: '' });
  });

  it('does not let an entry reach the prototype', () => {
    const merged = mergeUserEnv([{ key: '__proto__', value: 'x' }], []);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['__proto__']);
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(mergeUserEnv([{ key: 'A', value: '1' }], []))).toBe(true);
  });
});

describe('the owner of an authenticated user', () => {
  it('is the login lowercased, computed once', () => {
    const user = authenticatedUser({ login: 'Devel', subject: 'devel', env: {} });
    expect(user.owner).toBe('devel');
    expect(ownerOf(user)).toBe('devel');
    expect(Object.isFrozen(user)).toBe(true);
  });

  it('is empty for a login that cannot name a repository, and ownerOf says why', () => {
    // A Kelvin sign lowercases to "k": the owner must not become another user's "kim".
    const user = authenticatedUser({ login: '\u212Aim', subject: 'x', env: {} });
    expect(user.owner).toBe('');
    expect(() => ownerOf(user)).toThrow(InvalidInputError);
  });
});
