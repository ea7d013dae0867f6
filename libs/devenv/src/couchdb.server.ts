import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { devenvDir, serverPaths } from './devenv-paths.js';
import { httpRequest, type HttpAnswer } from './loopback-http.js';
import { ensureServer, stopServer } from './server-process.js';

export interface CouchDbServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port without credentials. */
  readonly url: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly started: boolean;
}

export interface CouchDbOptions {
  readonly port?: number;
  readonly stateDir?: string;
  readonly adminUser?: string;
  readonly adminPassword?: string;
}

const HOST = '127.0.0.1';

/**
 * A CouchDB-compatible server (pouchdb-server --in-memory) on
 * 127.0.0.1:DEVENV_COUCHDB_PORT (5984), with the admin COUCHDB_ADMIN_USER /
 * COUCHDB_ADMIN_PASSWORD (OpenServerless defaults) so clients can send the
 * same credentials they send to a real CouchDB.
 */
export async function ensureCouchDb(options: CouchDbOptions = {}): Promise<CouchDbServer> {
  const port = options.port ?? Number(process.env.DEVENV_COUCHDB_PORT ?? 5984);
  const adminUser = options.adminUser ?? process.env.COUCHDB_ADMIN_USER ?? 'whisk_admin';
  const adminPassword = options.adminPassword ?? process.env.COUCHDB_ADMIN_PASSWORD ?? 'some_passw0rd';
  const paths = serverPaths('couchdb', options.stateDir ?? devenvDir());
  const target = { host: HOST, port };
  const answers = async (): Promise<boolean> => isCouchWelcome(await httpRequest(target, '/'));
  if (!(await answers())) {
    // Data is in memory; a config.json left by a previous server would carry its admins.
    rmSync(join(paths.dir, 'config.json'), { force: true });
  }
  const started = await ensureServer({
    name: 'couchdb',
    paths,
    command: process.execPath,
    args: [pouchDbServerBin(), '--in-memory', '--host', HOST, '--port', String(port), '--no-stdout-logs'],
    answers,
    startTimeoutMs: 30_000,
  });
  await ensureAdmin(target, adminUser, adminPassword);
  return { host: HOST, port, url: `http://${HOST}:${port}`, adminUser, adminPassword, started };
}

export function stopCouchDb(stateDir = devenvDir()): Promise<boolean> {
  return stopServer(serverPaths('couchdb', stateDir), process.execPath);
}

/** CouchDB greets with {"couchdb":"Welcome"}, pouchdb-server with {"express-pouchdb":"Welcome!"}. */
function isCouchWelcome(answer: HttpAnswer | undefined): boolean {
  if (answer?.status !== 200) return false;
  try {
    const body: unknown = JSON.parse(answer.body);
    return typeof body === 'object' && body !== null && ('couchdb' in body || 'express-pouchdb' in body);
  } catch {
    return false;
  }
}

function pouchDbServerBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('pouchdb-server/package.json')), 'bin', 'pouchdb-server');
}

/** Creating an admin needs no credentials only while the server has none ("admin party"). */
async function ensureAdmin(
  target: { readonly host: string; readonly port: number },
  user: string,
  password: string,
): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const accepted = async (): Promise<boolean> =>
    (await httpRequest(target, '/_all_dbs', { headers: { authorization } }))?.status === 200;
  if (await accepted()) return;
  await httpRequest(target, `/_config/admins/${encodeURIComponent(user)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(password),
  });
  if (!(await accepted())) {
    throw new Error(
      `devenv: the CouchDB server at ${target.host}:${target.port} rejects the admin ${user}; ` +
        'set COUCHDB_ADMIN_USER/COUCHDB_ADMIN_PASSWORD to its credentials',
    );
  }
}
