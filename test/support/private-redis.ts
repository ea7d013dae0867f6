import { ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { freeLoopbackPort } from '#libs/devenv';

/** A Redis of a suite's own, so it can be frozen and thawed without touching anyone else's. */
export interface PrivateRedis {
  port: number;
  /** Stops answering (SIGSTOP): connections stay open, commands get no reply. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

async function masterSeesOnlineReplica(masterPort: number, replicaPort: number): Promise<boolean> {
  const master = new Redis({ port: masterPort, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  try {
    await master.connect();
    return new RegExp(`port=${replicaPort},state=online`).test(await master.info('replication'));
  } finally {
    master.disconnect();
  }
}

/** `replicaOf`: the port of a private Redis this one replicates (resolves once it has synced). */
export async function startPrivateRedis(options: { replicaOf?: number } = {}): Promise<PrivateRedis> {
  const port = await freeLoopbackPort();
  // A replica saves what it receives: in the temp dir, not the working directory.
  // A replica joining is served at once, not after the default 5 s diskless gathering delay.
  const args = [
    '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--protected-mode', 'no',
    '--dir', tmpdir(), '--dbfilename', `private-redis-${port}.rdb`, '--repl-diskless-sync-delay', '0',
  ];
  if (options.replicaOf) args.push('--replicaof', '127.0.0.1', String(options.replicaOf));
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  for (let i = 0; ; i++) {
    try {
      if (probe.status !== 'ready') await probe.connect();
      await probe.ping();
      if (options.replicaOf && !/master_link_status:up/.test(await probe.info('replication'))) throw new Error('not synced yet');
      // …and the master counts it online, so WAIT can be answered by it.
      if (options.replicaOf && !(await masterSeesOnlineReplica(options.replicaOf, port))) throw new Error('not online at the master yet');
      break;
    } catch (error) {
      if (i > 300) {
        probe.disconnect();
        child.kill('SIGKILL');
        throw new Error(`private redis-server on ${port} did not start: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  probe.disconnect();
  return {
    port,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    stop: async () => {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
