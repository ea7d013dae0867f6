import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerConfigCredentials } from './docker-config-credentials.js';

describe('dockerConfigCredentials', () => {
  let dir: string;
  const file = (content: unknown) => {
    const path = join(dir, `config-${Math.random()}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'docker-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the entry of exactly this host, in its auth or username/password form, with or without a scheme', () => {
    const auths = {
      'registry.local:5000': { auth: Buffer.from('pusher:p:a:ss').toString('base64') },
      'https://other.local/v1/': { username: 'u', password: 'w' },
      'registry.local': { auth: Buffer.from('wrong:host').toString('base64') },
    };
    const path = file({ auths });
    expect(dockerConfigCredentials(path, 'registry.local:5000')).toEqual({ username: 'pusher', password: 'p:a:ss' });
    expect(dockerConfigCredentials(path, 'other.local')).toEqual({ username: 'u', password: 'w' });
    expect(dockerConfigCredentials(path, 'registry.local:500')).toBeUndefined();
    expect(dockerConfigCredentials(path, 'local:5000')).toBeUndefined();
  });

  it('names the file, never its content, when it cannot be used', () => {
    const broken = file('{"auths": {"h": {"auth": "c2VjcmV0');
    expect(() => dockerConfigCredentials(broken, 'h')).toThrow(`cannot read the docker config ${broken}: not JSON`);
    expect(() => dockerConfigCredentials(join(dir, 'missing.json'), 'h')).toThrow(/: ENOENT$/);
    const empty = file({ auths: { h: { auth: Buffer.from('nocolon').toString('base64') } } });
    expect(() => dockerConfigCredentials(empty, 'h')).toThrow('without a usable auth');
  });
});
