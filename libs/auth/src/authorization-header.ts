import { UnauthenticatedError } from '#libs/errors';

/** An OpenWhisk key, `uuid:key`, as sent by `ops` and `wsk`. */
export interface OpenWhiskCredentials {
  readonly uuid: string;
  readonly key: string;
}

const MAX_HEADER_LENGTH = 4096;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the three forms the original admin API accepts: `Basic base64(uuid:key)`,
 * bare `base64(uuid:key)` and bare `uuid:key`. Messages never echo the header.
 */
export function parseAuthorizationHeader(header: string | undefined): OpenWhiskCredentials {
  if (header === undefined || header.trim() === '') {
    throw new UnauthenticatedError('Missing authorization header');
  }
  if (header.length > MAX_HEADER_LENGTH) throw invalid();

  const parts = header.trim().split(/\s+/);
  if (parts.length === 2 && parts[0].toLowerCase() === 'basic') return parseToken(parts[1]);
  if (parts.length === 1) return parseToken(parts[0]);
  throw invalid();
}

/** HTTP basic auth as a browser sends it; the user name may be empty. */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * Reads `Basic base64(user:password)` only (what a browser's login prompt
 * sends), with the same base64 and character rules as the keys above; null
 * when the header is anything else.
 */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | null {
  const parts = (header ?? '').trim().split(/\s+/);
  if (header === undefined || header.length > MAX_HEADER_LENGTH || parts.length !== 2 || parts[0].toLowerCase() !== 'basic') return null;
  try {
    const pair = decodeBase64(parts[1]);
    const separator = pair.indexOf(':');
    if (separator < 0 || CONTROL_CHARACTERS.test(pair)) return null;
    return { user: pair.slice(0, separator), password: pair.slice(separator + 1) };
  } catch {
    return null;
  }
}

function parseToken(token: string): OpenWhiskCredentials {
  // Base64 has no ':', so a colon means the key was sent in clear, as the original allows.
  const pair = token.includes(':') ? token : decodeBase64(token);
  const separator = pair.indexOf(':');
  if (separator <= 0 || separator === pair.length - 1 || CONTROL_CHARACTERS.test(pair)) throw invalid();
  return { uuid: pair.slice(0, separator), key: pair.slice(separator + 1) };
}

function decodeBase64(token: string): string {
  if (!BASE64.test(token) || token.length % 4 === 1) throw invalid();
  const bytes = Buffer.from(token, 'base64');
  // Buffer.from silently drops what it cannot read; a canonical round trip proves nothing was dropped.
  if (bytes.toString('base64').replace(/=+$/, '') !== token.replace(/=+$/, '')) throw invalid();
  try {
    return utf8.decode(bytes);
  } catch {
    throw invalid();
  }
}

function invalid(): UnauthenticatedError {
  return new UnauthenticatedError('Invalid authorization');
}
