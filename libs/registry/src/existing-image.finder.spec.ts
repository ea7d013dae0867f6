import { ExistingImageFinder } from './existing-image.finder.js';
import { ImageManifest, RegistryRepository } from './registry.repository.js';

/** A registry that counts the questions it is asked. */
class CountingRegistry {
  calls = { tags: 0, manifest: 0, config: 0 };
  tagsOf = ['v1'];
  tagsDelayMs = 5;
  labels: Record<string, string> = { identity: 'abc' };
  async tags() {
    this.calls.tags++;
    const answer = this.tagsOf;
    await new Promise((resolve) => setTimeout(resolve, this.tagsDelayMs));
    return answer;
  }
  async manifest(): Promise<ImageManifest> {
    this.calls.manifest++;
    return { digest: 'sha256:d1', mediaType: 'x', configDigest: 'sha256:c1', configSize: 1, layers: [] };
  }
  async imageConfig() {
    this.calls.config++;
    return { labels: this.labels };
  }
}

describe('ExistingImageFinder', () => {
  const make = () => {
    const registry = new CountingRegistry();
    return { registry, finder: new ExistingImageFinder(registry as unknown as RegistryRepository) };
  };

  it('finds an image whose label matches, and not one whose label differs', async () => {
    const { finder } = make();
    expect(await finder.find('r:5000', 'alice', 'v1', 'identity', 'abc')).toBe('sha256:d1');
    expect(await finder.find('r:5000', 'alice', 'v1', 'identity', 'other')).toBeNull();
    expect(await finder.find('r:5000', 'alice', 'v2', 'identity', 'abc')).toBeNull();
  });

  it('asks the registry once for a burst of identical questions', async () => {
    const { finder, registry } = make();
    await Promise.all(Array.from({ length: 200 }, () => finder.find('r:5000', 'alice', 'v1', 'identity', 'abc')));
    expect(registry.calls).toEqual({ tags: 1, manifest: 1, config: 1 });
  });

  it('asks again once what it knows is a second old, but keeps configs by digest', async () => {
    const { finder, registry } = make();
    await finder.find('r:5000', 'alice', 'v1', 'identity', 'abc');
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await finder.find('r:5000', 'alice', 'v1', 'identity', 'abc');
    expect(registry.calls).toEqual({ tags: 2, manifest: 2, config: 1 });
  });

  it('reloads what is asked about in the second half of its second in the background, answering at once meanwhile', async () => {
    const { finder, registry } = make();
    await finder.find('r:5000', 'alice', 'v1', 'identity', 'abc');
    registry.tagsDelayMs = 300;
    registry.tagsOf = [];
    await new Promise((resolve) => setTimeout(resolve, 600));
    const asked = Date.now();
    expect(await finder.find('r:5000', 'alice', 'v1', 'identity', 'abc')).toBe('sha256:d1');
    expect(Date.now() - asked).toBeLessThan(100);
    expect(registry.calls.tags).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The reload's answer (v1 gone) is what the next question gets, without waiting.
    expect(await finder.find('r:5000', 'alice', 'v1', 'identity', 'abc')).toBeNull();
    expect(registry.calls.tags).toBe(2);
  });

  it('does not remember a load begun before a push was announced', async () => {
    const { finder, registry } = make();
    registry.tagsDelayMs = 100;
    const before = finder.find('r:5000', 'alice', 'v2', 'identity', 'abc');
    await new Promise((resolve) => setTimeout(resolve, 20));
    registry.tagsOf = ['v1', 'v2'];
    finder.forget('r:5000/alice');
    expect(await before).toBeNull();
    expect(await finder.find('r:5000', 'alice', 'v2', 'identity', 'abc')).toBe('sha256:d1');
  });

  it('forgets a repository as soon as a push to it is announced', async () => {
    const { finder, registry } = make();
    expect(await finder.find('r:5000', 'alice', 'v2', 'identity', 'abc')).toBeNull();
    registry.tagsOf = ['v1', 'v2'];
    expect(await finder.find('r:5000', 'alice', 'v2', 'identity', 'abc')).toBeNull();
    finder.forget('r:5000/alice');
    expect(await finder.find('r:5000', 'alice', 'v2', 'identity', 'abc')).toBe('sha256:d1');
  });
});
