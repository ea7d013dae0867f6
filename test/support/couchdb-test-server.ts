import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CouchdbTestServer {
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  stop(): Promise<void>;
}

const POUCHDB_SERVER = fileURLToPath(new URL('../../node_modules/.bin/pouchdb-server', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

/**
 * The CouchDB named by COUCHDB_SERVICE_HOST/PORT when set, otherwise an
 * in-memory pouchdb-server started for the suite and stopped by stop().
 */
export async function startCouchdbTestServer(): Promise<CouchdbTestServer> {
  const host = process.env.COUCHDB_SERVICE_HOST;
  if (host) {
    return {
      url: `http://${host}:${process.env.COUCHDB_SERVICE_PORT ?? '5984'}`,
      user: process.env.COUCHDB_ADMIN_USER,
      password: process.env.COUCHDB_ADMIN_PASSWORD,
      stop: async () => undefined,
    };
  }

  const port = await freePort();
  // pouchdb-server writes config.json and log.txt into its working directory.
  const workdir = await mkdtemp(join(tmpdir(), 'pouchdb-server-'));
  const child = spawn(POUCHDB_SERVER, ['--in-memory', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: workdir,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(workdir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pouchdb-server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pouchdb-server did not answer on ${url} within ${START_TIMEOUT_MS} ms`);
}
