import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchUser {
  login: string;
  /** The static users file naming this user alone. */
  usersFile: string;
  /** `Authorization` header value, as the `ops` client sends it. */
  authorization: string;
}

/** A fresh user of the static provider, so every run builds in a repository of its own. */
export function createBenchUser(): BenchUser {
  const login = `bench${randomBytes(3).toString('hex')}`;
  const uuid = randomBytes(8).toString('hex');
  const key = randomBytes(24).toString('hex');
  const usersFile = join(tmpdir(), `deployer-bench-users-${login}.json`);
  writeFileSync(usersFile, JSON.stringify([{ uuid, key, login, env: {} }]));
  return { login, usersFile, authorization: `Basic ${Buffer.from(`${uuid}:${key}`).toString('base64')}` };
}
