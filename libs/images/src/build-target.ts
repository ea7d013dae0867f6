import { InvalidInputError } from '#libs/errors';
import { messageExcerpt } from './message-excerpt.js';
import { MAX_REFERENCE_LENGTH, isPathComponent, isTag } from './reference-grammar.js';

/** The API's `target` field, `<user>:<tag>`: the image lands at `<registry>/<user>:<tag>`. */
export interface BuildTarget {
  readonly user: string;
  readonly tag: string;
}

const EXPECTED =
  'expected "<user>:<tag>" where <user> is lowercase letters and digits (separated by ".", "_", "__" or dashes) ' +
  'and <tag> is 1 to 128 of letters, digits, "_", "." or "-", not starting with "." or "-"';

export function parseBuildTarget(target: string): BuildTarget {
  const text = String(target);
  const separator = text.indexOf(':');
  const user = text.slice(0, separator);
  const tag = text.slice(separator + 1);
  const valid =
    typeof target === 'string' &&
    text.length <= MAX_REFERENCE_LENGTH &&
    separator > 0 &&
    isPathComponent(user) &&
    isTag(tag);
  if (!valid) {
    throw new InvalidInputError(`Invalid target ${messageExcerpt(text)}: ${EXPECTED}.`, 'InvalidTarget');
  }
  return { user, tag };
}

/**
 * The repository a login owns: the login lowercased, provided it is a valid path
 * component. Non-ASCII is refused before lowercasing, since Unicode case mapping
 * can fold a different login (e.g. with a Kelvin sign) onto someone else's name.
 */
export function repositoryNameForLogin(login: string): string {
  const ascii = typeof login === 'string' && /^[\x21-\x7e]+$/.test(login);
  const name = ascii ? login.toLowerCase() : '';
  if (name.length > MAX_REFERENCE_LENGTH || !isPathComponent(name)) {
    throw new InvalidInputError(
      `The login ${messageExcerpt(String(login))} cannot name an image repository: ` +
        'it must be letters and digits, separated by ".", "_", "__" or dashes.',
      'InvalidLogin',
    );
  }
  return name;
}
