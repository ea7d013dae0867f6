import { InvalidInputError, PayloadTooLargeError } from '#libs/errors';
import { MAX_DEPENDENCY_FILE_BYTES, decodeDependencyFile } from './dependency-file.js';

const encode = (text: string | Buffer): string => Buffer.from(text).toString('base64');

function failure(base64: string, maxBytes?: number): InvalidInputError | PayloadTooLargeError {
  try {
    decodeDependencyFile(base64, maxBytes);
  } catch (error) {
    return error as InvalidInputError;
  }
  throw new Error('decoded without error');
}

describe('decodeDependencyFile', () => {
  it.each(['requests==2.32.3\n', 'a', 'ab', 'abc', 'héllo wörld ✓\n', '{"name":"x"}'])('round-trips %j', (text) => {
    expect(decodeDependencyFile(encode(text))).toBe(text);
  });

  it('accepts missing padding', () => {
    expect(decodeDependencyFile('YQ')).toBe('a');
    expect(decodeDependencyFile('YWI')).toBe('ab');
  });

  it('accepts exactly 512 KiB', () => {
    const text = 'x'.repeat(MAX_DEPENDENCY_FILE_BYTES);
    expect(decodeDependencyFile(encode(text))).toHaveLength(MAX_DEPENDENCY_FILE_BYTES);
  });

  it.each([
    ['padded', (text: string) => encode(text)],
    ['unpadded', (text: string) => encode(text).replace(/=+$/, '')],
  ])('refuses 512 KiB + 1 byte (%s) as too large', (_, encoder) => {
    const error = failure(encoder('x'.repeat(MAX_DEPENDENCY_FILE_BYTES + 1)));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.message).toBe('file is larger than 524288 bytes');
  });

  it('judges the size before looking at the characters', () => {
    expect(failure('!'.repeat(4 * 1024 * 1024))).toBeInstanceOf(PayloadTooLargeError);
  });

  it('honours a smaller limit', () => {
    expect(decodeDependencyFile(encode('abcd'), 4)).toBe('abcd');
    expect(failure(encode('abcde'), 4)).toBeInstanceOf(PayloadTooLargeError);
  });

  it.each([
    ['whitespace', 'YWJj ZGVm'],
    ['the URL-safe alphabet', encode('\u00ff\u00fe').replace(/\+/g, '-').replace(/\//g, '_') + '-_'],
    ['a shell metacharacter', 'YWJj;ZGVm'],
    ['padding in the middle', 'YQ==YQ=='],
    ['three padding characters', 'YQ==='],
    ['padding on a full group', 'YWJj='],
    ['wrong padding length', 'YWI=='],
    ['a lone character', 'YWJjZ'],
    ['only padding', '=='],
    ['non-canonical trailing bits', 'YR=='],
    ['non-ASCII', 'YWJj\u00e9'],
  ])('refuses %s', (_, base64) => {
    const error = failure(base64);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('file is not valid base64');
    expect(error.reason).toBe('InvalidDependencyFile');
  });

  it('accepts line-wrapped base64, as `base64` prints it without -w0', () => {
    expect(decodeDependencyFile('YWJj\nZGVm')).toBe('abcdef');
    expect(decodeDependencyFile(`${encode('abc')}\r\n`)).toBe('abc');
  });

  it('refuses an empty file', () => {
    const error = failure('');
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('file is empty');
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x61, 0x80])],
    ['a truncated sequence', Buffer.from([0xe2, 0x9c])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['binary data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00])],
  ])('refuses %s as not UTF-8', (_, bytes) => {
    const error = failure(bytes.toString('base64'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('file is not valid UTF-8 text');
  });
});
