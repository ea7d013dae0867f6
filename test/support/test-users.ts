import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface TestUser {
  uuid: string;
  key: string;
  login: string;
  env: Record<string, string>;
}

const user = (login: string): TestUser => ({
  uuid: `${randomBytes(4).toString('hex')}-0000-4000-8000-${randomBytes(6).toString('hex')}`,
  key: randomBytes(32).toString('base64url'),
  login,
  env: {},
});

/**
 * Users of the static provider; logins chosen to catch prefix and case
 * mistakes, and unique per run since the registry keeps images across runs.
 */
const run = randomBytes(3).toString('hex');
export const USERS = {
  alice: user(`alice${run}`),
  aliceB: user(`alice${run}-b`),
  bob: user(`Bob${run}`),
};

/** A target in the user's own repository, as `ops ide deploy` computes it. */
export const targetOf = (u: TestUser, tag: string) => `${u.login.toLowerCase()}:${tag}`;

export function writeUsersFile(users: TestUser[] = Object.values(USERS)): string {
  const path = join(tmpdir(), `deployer-users-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(path, JSON.stringify(users));
  return path;
}

export type AuthForm = 'basic' | 'bare-base64' | 'bare';

/** The Authorization header as the `ops` client (basic) and older clients send it. */
export function authorization(u: TestUser, form: AuthForm = 'basic'): string {
  const pair = `${u.uuid}:${u.key}`;
  const encoded = Buffer.from(pair).toString('base64');
  if (form === 'basic') return `Basic ${encoded}`;
  return form === 'bare-base64' ? encoded : pair;
}
