import { InvalidInputError } from '#libs/errors';

export const INVALID_DEPENDENCY_FILE = 'InvalidDependencyFile';

export function invalidDependencyFile(file: string, problem: string): InvalidInputError {
  return new InvalidInputError(`Invalid ${file}: ${problem}.`, INVALID_DEPENDENCY_FILE);
}

/** The parse error is not echoed: it quotes the file, which may hold anything. */
export function requireJsonObject(file: string, content: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw invalidDependencyFile(file, 'it is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidDependencyFile(file, 'it must be a JSON object');
  }
}
