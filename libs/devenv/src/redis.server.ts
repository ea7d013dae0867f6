import { devenvDir, serverPaths } from './devenv-paths.js';
import { redisAnswers } from './redis-ping.js';
import { ensureServer, stopServer } from './server-process.js';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** Whether this call started the server (false when one already answered). */
  readonly started: boolean;
}

export interface RedisOptions {
  readonly host?: string;
  readonly port?: number;
  readonly stateDir?: string;
}

const COMMAND = 'redis-server';

/** Redis at REDIS_HOST:REDIS_PORT (default 127.0.0.1:6379), started without persistence if absent. */
export async function ensureRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const host = options.host ?? process.env.REDIS_HOST ?? '127.0.0.1';
  const port = options.port ?? Number(process.env.REDIS_PORT ?? 6379);
  const paths = serverPaths('redis', options.stateDir ?? devenvDir());
  const started = await ensureServer({
    name: 'redis',
    paths,
    command: COMMAND,
    args: [
      '--bind', host,
      '--port', String(port),
      '--save', '',
      '--appendonly', 'no',
      '--dir', paths.dir,
      '--daemonize', 'no',
      '--protected-mode', 'no',
    ],
    answers: () => redisAnswers(host, port),
    startTimeoutMs: 15_000,
  });
  return { host, port, started };
}

export function stopRedis(stateDir = devenvDir()): Promise<boolean> {
  return stopServer(serverPaths('redis', stateDir), COMMAND);
}
