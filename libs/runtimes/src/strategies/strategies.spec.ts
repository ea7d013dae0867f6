import { InvalidInputError } from '#libs/errors';
import { RUNTIME_KINDS } from '../runtime-kind.js';
import type { RuntimeStrategy } from '../runtime-strategy.js';
import { RUNTIME_STRATEGY_LIST } from './index.js';

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId></dependency></dependencies>
</project>
`;

interface KindCase {
  readonly file: string;
  readonly good: readonly string[];
  readonly bad: ReadonlyArray<readonly [content: string, problem: string]>;
}

const CASES: Record<(typeof RUNTIME_KINDS)[number], KindCase> = {
  go: {
    file: 'go.mod',
    good: ['module example.com/hello\n\ngo 1.22\n', 'go 1.22\n  module\thello\n', 'module (\n\thello\n)\n', ' \n\t'],
    bad: [
      ['go 1.22\nrequire x v1\n', 'no module directive'],
      ['modules x\n', 'no module directive'],
      ['// module x\n', 'no module directive'],
    ],
  },
  java: {
    file: 'pom.xml',
    good: [POM, '<project/>'],
    bad: [
      ['', 'not well-formed XML'],
      ['not xml', 'not well-formed XML'],
      ['<project><dependencies></project>', 'not well-formed XML (InvalidTag at line 1, column'],
      ['<project></project>trailing', 'not well-formed XML'],
      ['<settings></settings>', 'single <project>'],
      ['<project/><project/>', 'single <project>'],
      ['<project/><other/>', 'single <project>'],
      ['<m:project xmlns:m="x"/>', 'single <project>'],
      [`<project>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</project>`, 'nested deeper than 100'],
    ],
  },
  nodejs: {
    file: 'package.json',
    good: ['{}', '{"name":"x","dependencies":{"lodash":"^4"}}'],
    bad: [
      ['', 'not valid JSON'],
      ['{"name":', 'not valid JSON'],
      ['[]', 'must be a JSON object'],
      ['null', 'must be a JSON object'],
      ['"text"', 'must be a JSON object'],
      ['42', 'must be a JSON object'],
    ],
  },
  php: {
    file: 'composer.json',
    good: ['{"require":{"monolog/monolog":"^3"}}', '{"require":{"php":">=8.1","ext-json":"*","a/b":">=1.0 <2.0 || ^3@dev"}}', '{}'],
    bad: [
      ['{require}', 'not valid JSON'],
      ['[{"require":{}}]', 'must be a JSON object'],
      ['{"require":["monolog/monolog"]}', '"require" must be an object'],
      ['{"require":{"Monolog/Monolog":"^3"}}', 'not a valid package name'],
      ['{"require":{"--help":"1"}}', 'not a valid package name'],
      ['{"require":{"a/b":"1\\n2"}}', 'version constraint of a/b is not valid'],
      ['{"require":{"a/b":"$(id)"}}', 'version constraint of a/b is not valid'],
      ['{"require":{"a/b":3}}', 'version constraint of a/b is not valid'],
    ],
  },
  python: {
    file: 'requirements.txt',
    good: ['requests==2.32.3\n', '# comment\r\n-e git+https://x/y#egg=y\n--index-url https://pypi.org/simple\nnumpy\n', 'a'.repeat(4096), '\n\n'],
    bad: [
      ['requests\u0000\n', 'NUL character'],
      [`numpy\n${'a'.repeat(4097)}\n`, 'line 2 is longer than 4096 characters'],
    ],
  },
  ruby: {
    file: 'Gemfile',
    good: ["source 'https://rubygems.org'\ngem 'rack'\n", '   \n'],
    bad: [["gem 'rack'\u0000\n", 'NUL character']],
  },
  dotnet: {
    file: 'project.json',
    good: ['{"dependencies":{"Newtonsoft.Json":"13.0.1"}}'],
    bad: [
      ['{', 'not valid JSON'],
      ['true', 'must be a JSON object'],
    ],
  },
};

const DEFAULT_USERS = { go: 'nobody', java: 'root', nodejs: 'nobody', php: 'root', python: 'nobody', ruby: 'root', dotnet: 'root' };

function mountsOf(strategy: RuntimeStrategy): string {
  const files = Object.keys(strategy.installFiles('')).sort();
  return [
    ...files.map((name) => `--mount=type=bind,source=${name},target=/run/deployer/${name.replace(/^deployer-/, '')}`),
    '--mount=type=secret,id=deployer-install-env',
    '--mount=type=secret,id=deployer-ca-bundle',
  ].join(' ');
}

function strategyOf(kind: string): RuntimeStrategy {
  const strategy = RUNTIME_STRATEGY_LIST.find((candidate) => candidate.kind === kind);
  if (strategy === undefined) throw new Error(`no strategy for ${kind}`);
  return strategy;
}

describe.each(RUNTIME_KINDS.map((kind) => [kind, CASES[kind]] as const))('%s strategy', (kind, { file, good, bad }) => {
  const strategy = strategyOf(kind);
  const source = `nuvolaris-registry-svc:5000/runtime-${kind}:v1`;

  it(`declares ${file} and the runtime's default user`, () => {
    expect(strategy.dependencyFile).toBe(file);
    expect(strategy.defaultUser).toBe(DEFAULT_USERS[kind]);
    expect(strategy.extendibleWithoutExtend).toBe(kind !== 'java' && kind !== 'dotnet');
  });

  it('renders the install step with the file and hands the base user back', () => {
    const user = strategy.defaultUser;
    expect(strategy.render({ source, hasFile: true, user, labels: { 'org.openserverless.deployer.identity': 'f00d' } })).toBe(
      `FROM ${source}\n` +
        `COPY ${file} /tmp/${file}\n` +
        'USER root\n' +
        `RUN ${mountsOf(strategy)} sh /run/deployer/install.sh\n` +
        `USER ${user}\n` +
        `LABEL "org.opencontainers.image.base.name"="${source}" ` +
        `"org.openserverless.deployer.identity"="f00d" "org.openserverless.deployer.kind"="${kind}"\n`,
    );
  });

  it('renders a re-tag without the file', () => {
    expect(strategy.render({ source, hasFile: false, user: 'nobody', labels: {} })).toBe(
      `FROM ${source}\n` +
        `LABEL "org.opencontainers.image.base.name"="${source}" "org.openserverless.deployer.kind"="${kind}"\n`,
    );
  });

  it('runs the image\'s own /bin/extend first, else its own fallback', () => {
    const script = strategy.installFiles(good[0])['deployer-install.sh'];
    const extend = script.indexOf('if [ -x /bin/extend ]; then');
    expect(extend).toBeGreaterThan(0);
    expect(script.indexOf('exit 0\nfi\n', extend)).toBeGreaterThan(extend);
    expect(script).not.toContain(good[0].trim() === '' ? '\u0000' : good[0].trim().split('\n')[0]);
  });

  it.each(good.map((content) => [content]))('accepts %j', (content) => {
    expect(() => strategy.check(content)).not.toThrow();
  });

  it.each(bad)('refuses %j (%s)', (content, problem) => {
    let error: unknown;
    try {
      strategy.check(content);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).reason).toBe('InvalidDependencyFile');
    expect((error as InvalidInputError).message).toMatch(new RegExp(`^Invalid ${file.replace('.', '\\.')}: `));
    expect((error as InvalidInputError).message).toContain(problem);
  });
});

describe('strategy list', () => {
  it('has exactly one strategy per kind', () => {
    expect(RUNTIME_STRATEGY_LIST.map((strategy) => strategy.kind).sort()).toEqual([...RUNTIME_KINDS].sort());
  });
});
