import { InvalidInputError } from '#libs/errors';
import { defineRuntimeStrategy } from './runtime-dockerfile.js';
import { RUNTIME_KINDS } from './runtime-kind.js';
import { RuntimeRegistry } from './runtime-registry.js';
import type { RuntimeStrategy } from './runtime-strategy.js';
import { RUNTIME_STRATEGY_LIST } from './strategies/index.js';

const without = (kind: string): RuntimeStrategy[] => RUNTIME_STRATEGY_LIST.filter((s) => s.kind !== kind);

describe('RuntimeRegistry', () => {
  const registry = new RuntimeRegistry(RUNTIME_STRATEGY_LIST);

  it.each(RUNTIME_KINDS.map((kind) => [kind]))('serves the %s strategy', (kind) => {
    expect(registry.get(kind).kind).toBe(kind);
  });

  it('lists every kind in declaration order', () => {
    expect(registry.kinds()).toEqual(['go', 'java', 'nodejs', 'php', 'python', 'ruby', 'dotnet']);
  });

  it.each(['rust', '', 'Python', 'python ', '__proto__', 'constructor', 'toString'])('refuses the kind %j', (kind) => {
    expect(() => registry.get(kind)).toThrow(InvalidInputError);
    expect(() => registry.get(kind)).toThrow(
      `Unsupported kind ${JSON.stringify(kind)}. Supported kinds: go, java, nodejs, php, python, ruby, dotnet.`,
    );
  });

  it('echoes a hostile kind short and printable', () => {
    expect(() => registry.get(`x\n${'y'.repeat(100)}`)).toThrow(/^Unsupported kind "x\?y{62}\.\.\."\. Supported/);
  });

  it('refuses to boot when a kind has no strategy', () => {
    expect(() => new RuntimeRegistry(without('php'))).toThrow('Runtime kinds without a strategy: php.');
    expect(() => new RuntimeRegistry([])).toThrow(`Runtime kinds without a strategy: ${RUNTIME_KINDS.join(', ')}.`);
  });

  it('refuses to boot when a kind has two strategies', () => {
    const second = defineRuntimeStrategy({
      kind: 'ruby',
      dependencyFile: 'Gemfile',
      defaultUser: 'root',
      extendibleWithoutExtend: true,
      check: () => undefined,
      fallback: 'true',
    });
    expect(() => new RuntimeRegistry([...RUNTIME_STRATEGY_LIST, second])).toThrow(
      'Runtime kind "ruby" has two strategies.',
    );
  });

  it('refuses to boot with a strategy of an unknown kind', () => {
    const stray = { ...RUNTIME_STRATEGY_LIST[0], kind: 'rust' } as unknown as RuntimeStrategy;
    expect(() => new RuntimeRegistry([...RUNTIME_STRATEGY_LIST, stray])).toThrow(
      'A runtime strategy declares unknown kind "rust".',
    );
  });
});
