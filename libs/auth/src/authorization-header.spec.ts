import { UnauthenticatedError } from '#libs/errors';
import { parseAuthorizationHeader, parseBasicAuthorization } from './authorization-header.js';

const uuid = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502';
const key = '123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function rejection(header: string | undefined): UnauthenticatedError {
  try {
    parseAuthorizationHeader(header);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return error as UnauthenticatedError;
  }
  throw new Error('expected the header to be refused');
}

describe('parseAuthorizationHeader', () => {
  it.each([
    ['Basic base64(uuid:key)', `Basic ${base64(`${uuid}:${key}`)}`],
    ['lower-case scheme', `basic ${base64(`${uuid}:${key}`)}`],
    ['bare base64(uuid:key)', base64(`${uuid}:${key}`)],
    ['bare uuid:key', `${uuid}:${key}`],
    ['Basic uuid:key, as the original tolerates', `Basic ${uuid}:${key}`],
    ['surrounding spaces', `  Basic   ${base64(`${uuid}:${key}`)}  `],
  ])('reads %s', (_form, header) => {
    expect(parseAuthorizationHeader(header)).toEqual({ uuid, key });
  });

  it('keeps colons after the first one in the key', () => {
    expect(parseAuthorizationHeader(base64('u:k:with:colons'))).toEqual({ uuid: 'u', key: 'k:with:colons' });
  });

  it('accepts base64 without padding', () => {
    const padded = base64('ab:c');
    expect(padded.endsWith('=')).toBe(true);
    expect(parseAuthorizationHeader(padded.replace(/=+$/, ''))).toEqual({ uuid: 'ab', key: 'c' });
  });

  it.each([undefined, '', '   '])('refuses a missing header (%p)', (header) => {
    expect(rejection(header).message).toBe('Missing authorization header');
  });

  it.each([
    ['garbage', 'this is not a key'],
    ['another scheme', `Bearer ${base64(`${uuid}:${key}`)}`],
    ['Basic with bad base64', 'Basic @@not-base64@@'],
    ['Basic with nothing after it', 'Basic'],
    ['base64 without a colon', `Basic ${base64(`${uuid}${key}`)}`],
    ['bare text without a colon', 'justonetoken'],
    ['an empty uuid', `:${key}`],
    ['an empty key', `${uuid}:`],
    ['base64 of invalid UTF-8', Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')],
    ['control characters', base64(`${uuid}:${key}\n`)],
    ['a header over 4 KiB', `Basic ${base64(`${uuid}:${'k'.repeat(5000)}`)}`],
  ])('refuses %s', (_case, header) => {
    expect(rejection(header).message).toBe('Invalid authorization');
  });

  it('never echoes the secret', () => {
    const error = rejection(`Bearer ${uuid}:${key}`);
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain(uuid);
  });
});

describe('parseBasicAuthorization (the queue dashboard)', () => {
  const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

  it('reads user and password, the user possibly empty, the password possibly holding colons', () => {
    expect(parseBasicAuthorization(basic('u-1:k:2'))).toEqual({ user: 'u-1', password: 'k:2' });
    expect(parseBasicAuthorization(basic(':token'))).toEqual({ user: '', password: 'token' });
    expect(parseBasicAuthorization(`basic  ${Buffer.from('a:b').toString('base64')}`)).toEqual({ user: 'a', password: 'b' });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['a bare key', 'u:k'],
    ['no colon', basic('nocolon')],
    ['not base64', 'Basic ***'],
    ['control characters', basic('a:b\n')],
    ['a huge header', `Basic ${'A'.repeat(5000)}`],
  ])('refuses %s', (_what, header) => {
    expect(parseBasicAuthorization(header)).toBeNull();
  });
});
