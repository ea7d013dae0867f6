import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';
import { redisAnswers } from './redis-ping.js';
import { ensureRedis, stopRedis } from './redis.server.js';

describe('ensureRedis', () => {
  it('reuses the server the test setup ensured', async () => {
    const redis = await ensureRedis();
    expect(redis.started).toBe(false);
    expect(await redisAnswers(redis.host, redis.port)).toBe(true);
  });

  it('starts a server when none answers, reuses it, and stops it by pid', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'devenv-redis-'));
    const port = await freeLoopbackPort();
    try {
      const first = await ensureRedis({ host: '127.0.0.1', port, stateDir });
      expect(first).toEqual({ host: '127.0.0.1', port, started: true });
      expect(await redisAnswers('127.0.0.1', port)).toBe(true);
      expect((await ensureRedis({ host: '127.0.0.1', port, stateDir })).started).toBe(false);
    } finally {
      expect(await stopRedis(stateDir)).toBe(true);
      rmSync(stateDir, { recursive: true, force: true });
    }
    expect(await redisAnswers('127.0.0.1', port)).toBe(false);
  });
});
