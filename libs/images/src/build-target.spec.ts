import { InvalidInputError } from '#libs/errors';
import { parseBuildTarget, repositoryNameForLogin } from './build-target.js';

describe('parseBuildTarget', () => {
  it.each([
    ['devel:python-0f343b0931126a20f133d67c2b018a3b', { user: 'devel', tag: 'python-0f343b0931126a20f133d67c2b018a3b' }],
    ['a:b', { user: 'a', tag: 'b' }],
    ['mirella.s_1:V1.0_rc-2', { user: 'mirella.s_1', tag: 'V1.0_rc-2' }],
    [`u:${'t'.repeat(128)}`, { user: 'u', tag: 't'.repeat(128) }],
  ])('accepts %s', (target, expected) => {
    expect(parseBuildTarget(target)).toEqual(expected);
  });

  it.each([
    '',
    'devel',
    'devel:',
    ':tag',
    'Devel:tag',
    'de vel:tag',
    'devel:ta g',
    'devel:tag:more',
    'org/devel:tag',
    'r.io/devel:tag',
    '../devel:tag',
    'devel:../x',
    'devel:.tag',
    'devel:-tag',
    'devel;id:tag',
    'devel:tag;id',
    'devel:$(id)',
    'devel:`id`',
    'devel:tag\n',
    'devel:tag\nRUN id',
    'devel\u0000:tag',
    `devel:${'t'.repeat(129)}`,
    `${'a'.repeat(300)}:tag`,
    `${'a-'.repeat(125)}!:tag`,
  ])('refuses %j', (target) => {
    expect(() => parseBuildTarget(target)).toThrow(InvalidInputError);
  });

  it('says what it expected and echoes a sanitised, short excerpt', () => {
    const hostile = `devel:\u001b[31mred\n${'x'.repeat(500)}`;
    let error: unknown;
    try {
      parseBuildTarget(hostile);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const { message, reason } = error as InvalidInputError;
    expect(reason).toBe('InvalidTarget');
    expect(message).toMatch(/^Invalid target "devel:\?\[31mred\?x+\.\.\.": expected "<user>:<tag>"/);
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(message.length).toBeLessThan(400);
  });
});

describe('repositoryNameForLogin', () => {
  it.each([
    ['devel', 'devel'],
    ['Mirella', 'mirella'],
    ['ALICE_01', 'alice_01'],
    ['a.b-c', 'a.b-c'],
  ])('maps %s to %s', (login, name) => {
    expect(repositoryNameForLogin(login)).toBe(name);
  });

  it.each(['', 'a b', 'a/b', 'a:b', '-a', 'a..b', 'a;b', '\u212Aen', 'caf\u00e9', 'a\n', 'x'.repeat(256)])(
    'refuses %j',
    (login) => {
      expect(() => repositoryNameForLogin(login)).toThrow(InvalidInputError);
      expect(() => repositoryNameForLogin(login)).toThrow(/cannot name an image repository/);
    },
  );
});
