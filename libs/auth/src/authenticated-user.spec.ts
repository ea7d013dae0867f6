import { mergeUserEnv } from './authenticated-user.js';

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
