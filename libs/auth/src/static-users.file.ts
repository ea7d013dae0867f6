import { readFile } from 'node:fs/promises';

/** One user of the static provider, as written in its JSON file. */
export interface StaticUser {
  readonly uuid: string;
  readonly key: string;
  readonly login: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Reads and validates a users file:
 * `[{ "uuid": "…", "key": "…", "login": "alice", "env": { "REGISTRY_HOST": "…" } }]`.
 * Errors name the file and the entry, never a key.
 */
export async function loadStaticUsers(path: string): Promise<StaticUser[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read users file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Users file ${path} is not valid JSON`);
  }
  return parseStaticUsers(parsed, path);
}

export function parseStaticUsers(parsed: unknown, path: string): StaticUser[] {
  if (!Array.isArray(parsed)) throw new Error(`Users file ${path} must hold a JSON array`);
  const seen = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const fail = (problem: string) => new Error(`Users file ${path}, entry ${index}: ${problem}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail('must be an object');
    const { uuid, key, login, env } = entry as Record<string, unknown>;
    if (typeof uuid !== 'string' || uuid === '' || uuid.includes(':')) {
      throw fail('"uuid" must be a non-empty string without ":"');
    }
    if (typeof key !== 'string' || key === '') throw fail('"key" must be a non-empty string');
    if (typeof login !== 'string' || login === '') throw fail('"login" must be a non-empty string');
    if (seen.has(uuid)) throw fail(`"uuid" ${uuid} is already used by an earlier entry`);
    seen.add(uuid);
    return { uuid, key, login, env: parseEnv(env, fail) };
  });
}

function parseEnv(env: unknown, fail: (problem: string) => Error): Readonly<Record<string, string>> {
  if (env === undefined) return Object.freeze({});
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw fail('"env" must be an object');
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw fail(`"env.${name}" must be a string`);
  }
  return Object.freeze({ ...(env as Record<string, string>) });
}
