import { InvalidInputError, PayloadTooLargeError } from '#libs/errors';
import { INVALID_DEPENDENCY_FILE } from './dependency-file-checks.js';

export const MAX_DEPENDENCY_FILE_BYTES = 512 * 1024;

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;
/** Shared: a decode without `stream` starts afresh, whatever the last one met. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function invalid(problem: string): InvalidInputError {
  return new InvalidInputError(`file ${problem}`, INVALID_DEPENDENCY_FILE);
}

/**
 * Decodes the request's `file`: standard-alphabet base64, padding optional, line
 * breaks allowed, no other whitespace. Buffer.from alone is lenient (it skips bad characters), so the
 * text is checked first, and the size is judged from the length before any
 * decoding. Re-encoding must give the input back, which also refuses
 * non-canonical trailing bits.
 */
export function decodeDependencyFile(encoded: string, maxBytes = MAX_DEPENDENCY_FILE_BYTES): string {
  if (typeof encoded !== 'string') throw invalid('must be a base64 string');
  // Line-wrapped base64 (as `base64` prints without -w0) is accepted, like the
  // service this replaces, which decoded leniently.
  const base64 = encoded.replace(/\r?\n/g, '');
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const unpadded = base64.slice(0, base64.length - padding);
  if (Math.floor((unpadded.length * 3) / 4) > maxBytes) {
    throw new PayloadTooLargeError(`file is larger than ${maxBytes} bytes`);
  }
  const padded = unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=');
  const paddingOk = base64 === unpadded || base64 === padded;
  if (!BASE64_ALPHABET.test(unpadded) || !paddingOk || unpadded.length % 4 === 1) throw invalid('is not valid base64');

  const bytes = Buffer.from(unpadded, 'base64');
  if (bytes.toString('base64') !== padded) throw invalid('is not valid base64');
  if (bytes.length === 0) throw invalid('is empty');
  try {
    return UTF8.decode(bytes);
  } catch {
    throw invalid('is not valid UTF-8 text');
  }
}
