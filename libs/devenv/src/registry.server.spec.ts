import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';
import { httpRequest } from './loopback-http.js';
import { ensureRegistry, stopRegistry } from './registry.server.js';

describe('ensureRegistry', () => {
  it('answers GET /v2/ with 200 at REGISTRY_HOST', async () => {
    const registry = await ensureRegistry();
    expect(registry.host).toBe(process.env.REGISTRY_HOST);
    const [host, port] = registry.host.split(':');
    expect((await httpRequest({ host, port: Number(port) }, '/v2/'))?.status).toBe(200);
  });

  it('starts a registry with deletes enabled and stops it by pid', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'devenv-registry-'));
    const port = await freeLoopbackPort();
    try {
      const registry = await ensureRegistry({ port, stateDir });
      expect(registry).toEqual({ host: `127.0.0.1:${port}`, started: true });
      const config = JSON.parse(readFileSync(join(stateDir, 'registry', 'config.yml'), 'utf8'));
      expect(config.storage.delete.enabled).toBe(true);
      expect(config.http.addr).toBe(`127.0.0.1:${port}`);
    } finally {
      expect(await stopRegistry(stateDir)).toBe(true);
      rmSync(stateDir, { recursive: true, force: true });
    }
    expect(await httpRequest({ host: '127.0.0.1', port }, '/v2/')).toBeUndefined();
  });
});
