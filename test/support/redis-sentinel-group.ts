import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPort } from '#libs/devenv';

/**
 * A master, one replica and three sentinels (quorum 2) of a suite's own, on
 * free loopback ports, every server behind a password. Sentinels judge a
 * silent master down after 1 s, so a failover takes seconds.
 */
export interface RedisSentinelGroup {
  readonly name: string;
  /** `host:port,host:port,host:port`, as REDIS_SENTINELS takes it. */
  readonly sentinels: string;
  readonly password: string;
  readonly sentinelPassword: string;
  /** The port of the master the sentinels name now. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, then waits until every sentinel names the new master; returns its port. */
  failover(): Promise<number>;
  /** kill -9 of the current master; returns the port it had. */
  killMaster(): Promise<number>;
  /** Waits until every sentinel names a master other than `oldPort`; returns its port. */
  awaitNewMaster(oldPort: number): Promise<number>;
  /** Starts a server again on `port`, as a replica of the current master (what a restarted pod does). */
  restartAsReplica(port: number): Promise<void>;
  /** A client of the current master, through the sentinels. */
  client(): Redis;
  stop(): Promise<void>;
}

const NAME = 'deployer-test';
const QUORUM = 2;

/** Fails loudly when redis-server is not installed: the suite cannot run without it. */
function requireBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not installed (Debian package redis-server); the Sentinel suites need it`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function startRedisSentinelGroup(): Promise<RedisSentinelGroup> {
  const binary = requireBinary('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'deployer-sentinel-'));
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const sentinelPassword = `spw-${Math.random().toString(36).slice(2)}`;
  const servers = new Map<number, ChildProcess>();
  const sentinelPorts: number[] = [];
  const children: ChildProcess[] = [];

  const run = (args: string[]): ChildProcess => {
    const child = spawn(binary, args, { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const startServer = (port: number, replicaOf?: number) => {
    const args = [
      '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--protected-mode', 'no',
      '--dir', dir, '--dbfilename', `dump-${port}.rdb`, '--requirepass', password, '--masterauth', password,
      // A replica (re)joining is served at once rather than after the default 5 s gathering delay.
      '--repl-diskless-sync-delay', '0',
    ];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    servers.set(port, run(args));
  };
  const direct = (port: number, auth = password) =>
    new Redis({ host: '127.0.0.1', port, password: auth, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  const ask = async <T>(port: number, auth: string, command: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = direct(port, auth);
    try {
      await redis.connect();
      return await command(redis);
    } finally {
      redis.disconnect();
    }
  };
  const sentinelCall = (port: number, ...args: string[]) => ask(port, sentinelPassword, (r) => r.call('SENTINEL', ...args));
  const namedMaster = async (port: number) => Number(((await sentinelCall(port, 'get-master-addr-by-name', NAME)) as string[])[1]);

  const masterPort = await freeLoopbackPort();
  const replicaPort = await freeLoopbackPort();
  startServer(masterPort);
  startServer(replicaPort, masterPort);
  await until('the replica to sync', async () => {
    const info = await ask(replicaPort, password, (r) => r.info('replication'));
    return /master_link_status:up/.test(info) ? true : undefined;
  });

  for (let i = 0; i < 3; i++) {
    const port = await freeLoopbackPort();
    sentinelPorts.push(port);
    const file = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode no',
        `dir ${dir}`,
        `requirepass ${sentinelPassword}`,
        `sentinel sentinel-pass ${sentinelPassword}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${masterPort} ${QUORUM}`,
        `sentinel auth-pass ${NAME} ${password}`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel failover-timeout ${NAME} 10000`,
        `sentinel parallel-syncs ${NAME} 1`,
        '',
      ].join('\n'),
    );
    run([file, '--sentinel']);
  }
  // A failover needs each sentinel to know the replica and the other sentinels.
  for (const port of sentinelPorts) {
    await until(`sentinel ${port} to see the replica and its peers`, async () => {
      const replicas = (await sentinelCall(port, 'replicas', NAME)) as unknown[];
      const peers = (await sentinelCall(port, 'sentinels', NAME)) as unknown[];
      return replicas.length === 1 && peers.length === 2 ? true : undefined;
    });
  }

  const current = () => namedMaster(sentinelPorts[0]);
  const awaitNewMaster = (oldPort: number) =>
    until(
      'every sentinel to name a new master',
      async () => {
        const named = await Promise.all(sentinelPorts.map(namedMaster));
        if (named.some((p) => p === oldPort || p !== named[0])) return undefined;
        const role = await ask(named[0], password, (r) => r.info('replication'));
        return /role:master/.test(role) ? named[0] : undefined;
      },
      60_000,
    );

  return {
    name: NAME,
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    password,
    sentinelPassword,
    masterPort: current,
    async failover() {
      const old = await current();
      await sentinelCall(sentinelPorts[0], 'failover', NAME);
      return awaitNewMaster(old);
    },
    async killMaster() {
      const port = await current();
      servers.get(port)!.kill('SIGKILL');
      return port;
    },
    awaitNewMaster,
    async restartAsReplica(port: number) {
      const old = servers.get(port)!;
      if (old.exitCode === null && old.signalCode === null) throw new Error(`redis-server on ${port} still runs`);
      startServer(port, await current());
      await until(
        `the restarted server on ${port} to sync`,
        async () => {
          const info = await ask(port, password, (r) => r.info('replication'));
          return /master_link_status:up/.test(info) ? true : undefined;
        },
        90_000,
      );
    },
    client: () =>
      new Redis({
        sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
        name: NAME,
        password,
        sentinelPassword,
        failoverDetector: true,
      }),
    async stop() {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const stubborn = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(stubborn);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
