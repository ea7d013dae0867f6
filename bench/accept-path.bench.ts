/**
 * Accept path of POST /system/api/v1/build/start at 64 connections, beside a
 * bare Node http server answering a fixed JSON, in the same run. Every request
 * is a distinct build, so each one is validated, checked against the
 * registry (unless BENCH_FORCE=true), recorded and enqueued; no worker runs.
 * Prints a table and fails when the queue does not hold one job per accepted
 * request.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_QUEUE } from '#libs/builds';
import { loadConfig } from '#libs/config';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { LoadResult, runLoad } from './load.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MAX_REQUESTS = 200_000;
const FORCE = process.env.BENCH_FORCE === 'true';

async function bareServer(): Promise<{ url: string; close: () => void }> {
  const payload = JSON.stringify({ status: 'ok', message: 'fixed' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(payload));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

const row = (name: string, r: LoadResult) =>
  `| ${name.padEnd(22)} | ${r.requests.average.toFixed(0).padStart(8)} | ${String(r.latency.p50).padStart(7)} | ${String(r.latency.p99).padStart(7)} | ${String(r.latency.max).padStart(7)} | ${String(r.non2xx + r.errors + r.timeouts).padStart(6)} |`;

async function main(): Promise<void> {
  const login = `bench${randomBytes(3).toString('hex')}`;
  const user = { uuid: randomBytes(8).toString('hex'), key: randomBytes(24).toString('hex'), login, env: {} };
  const usersFile = join(tmpdir(), `deployer-bench-users-${login}.json`);
  writeFileSync(usersFile, JSON.stringify([user]));
  const config = loadConfig({
    ...process.env,
    AUTH_PROVIDER: 'static',
    USERS_FILE: usersFile,
    REDIS_PREFIX: `bench-${login}`,
  });
  const api = await createApiApp(config, ['error']);
  await api.listen(0, '127.0.0.1');
  const { port } = api.getHttpServer().address() as { port: number };
  const bare = await bareServer();
  const connection = { host: config.REDIS_HOST, port: config.REDIS_PORT };
  const queue = new Queue(BUILD_QUEUE, { connection, prefix: config.REDIS_PREFIX });
  const redis = new Redis(connection);

  try {
    const bareResult = await runLoad({
      url: bare.url,
      connections: CONNECTIONS,
      durationSeconds: SECONDS,
      maxRequests: MAX_REQUESTS,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: () => '{}',
    });
    let n = 0;
    const file = Buffer.from('requests==2.32.3\n').toString('base64');
    const startResult = await runLoad({
      url: `http://127.0.0.1:${port}/system/api/v1/build/start`,
      connections: CONNECTIONS,
      durationSeconds: SECONDS,
      maxRequests: MAX_REQUESTS,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${user.uuid}:${user.key}`).toString('base64')}`,
      },
      body: () => JSON.stringify({ source: 'openserverless/runtime-base:local', target: `${login}:t${n++}`, kind: 'python', file, force: FORCE }),
    });

    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`\naccept path, ${CONNECTIONS} connections, ${SECONDS} s each, same machine, same run\n`);
    console.log('| server                 |  req/s   | p50 ms  | p99 ms  | max ms  | errors |');
    console.log('|------------------------|----------|---------|---------|---------|--------|');
    console.log(row('bare node http (fixed)', bareResult));
    console.log(row('deployer build/start', startResult));
    const ratio = startResult.requests.average / bareResult.requests.average;
    console.log(`\nthroughput ratio deployer/bare: ${(ratio * 100).toFixed(1)}%`);
    console.log(`accepted builds: ${startResult['2xx']}, jobs in queue: ${jobs}`);
    // Requests still in flight when the load stops get no answer but may have
    // been enqueued: at most one per connection.
    const accepted = startResult['2xx'];
    if (jobs < accepted || jobs > accepted + CONNECTIONS) {
      throw new Error(`expected between ${accepted} and ${accepted + CONNECTIONS} queued jobs, found ${jobs}`);
    }
    if (startResult.non2xx + startResult.errors > 0) throw new Error('the deployer answered errors under load');
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
    bare.close();
    await api.close();
  }
}

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.message}`);
  process.exitCode = 1;
});
