import { messageExcerpt } from './message-excerpt.js';

describe('messageExcerpt', () => {
  it('quotes a printable value unchanged', () => {
    expect(messageExcerpt('python:3.12')).toBe('"python:3.12"');
  });

  it('escapes quotes and backslashes so the excerpt stays one quoted string', () => {
    expect(messageExcerpt('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('replaces control and non-ASCII characters', () => {
    expect(messageExcerpt('a\nb\r\u0000\u001b\u2028\u00e9')).toBe('"a?b?????"');
  });

  it('cuts long values to 64 characters', () => {
    expect(messageExcerpt('y'.repeat(1000))).toBe(`"${'y'.repeat(64)}..."`);
  });
});
