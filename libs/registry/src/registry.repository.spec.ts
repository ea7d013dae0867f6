import { randomBytes } from 'node:crypto';
import { loadConfig } from '#libs/config';
import { DependencyUnavailableError } from '#libs/errors';
import { freeLoopbackPort } from '#libs/devenv';
import { pushTinyImage } from '../../../test/support/registry-uploader.js';
import { RegistryRepository } from './registry.repository.js';

/** Against the real docker-registry of the test setup (delete enabled). */
describe('RegistryRepository', () => {
  const host = String(process.env.REGISTRY_HOST);
  const registry = new RegistryRepository(loadConfig({}));
  const repository = `reg${randomBytes(4).toString('hex')}`;
  let digest: string;

  beforeAll(async () => {
    digest = await pushTinyImage(host, repository, 'v1', { 'org.example.label': 'yes' });
    await pushTinyImage(host, repository, 'v2');
  });

  it('reads a manifest, its digest and the image labels', async () => {
    const manifest = await registry.manifest(host, repository, 'v1');
    expect(manifest?.digest).toBe(digest);
    expect((await registry.imageConfig(host, repository, manifest!.configDigest)).labels).toEqual({ 'org.example.label': 'yes' });
    expect(await registry.manifest(host, repository, 'missing')).toBeNull();
    expect(await registry.manifest(host, `${repository}x`, 'v1')).toBeNull();
  });

  it('reads the sizes of the layers and of the config blob', async () => {
    const manifest = await registry.manifest(host, repository, 'v1');
    const blob = await fetch(`http://${host}/v2/${repository}/blobs/${manifest?.configDigest}`);
    expect(manifest?.configSize).toBe((await blob.arrayBuffer()).byteLength);
    expect(manifest?.layers).toEqual([{ digest: expect.stringMatching(/^sha256:/), size: expect.any(Number), mediaType: expect.any(String) }]);
  });

  it('lists the catalog and the tags of a repository', async () => {
    expect(await registry.catalog(host)).toContain(repository);
    expect((await registry.tags(host, repository)).sort()).toEqual(['v1', 'v2']);
    expect(await registry.tags(host, `${repository}-none`)).toEqual([]);
  });

  it('deletes a tag by its manifest digest', async () => {
    await pushTinyImage(host, repository, 'gone', { unique: randomBytes(4).toString('hex') });
    const deleted = await registry.deleteTag(host, repository, 'gone');
    expect(deleted).toMatch(/^sha256:/);
    expect(await registry.manifest(host, repository, 'gone')).toBeNull();
    expect(await registry.deleteTag(host, repository, 'gone')).toBeNull();
  });

  it('reports an unreachable registry as unavailable', async () => {
    const closed = `127.0.0.1:${await freeLoopbackPort()}`;
    await expect(registry.manifest(closed, repository, 'v1')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
