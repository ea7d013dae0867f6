import { loadConfig } from '#libs/config';
import { InvalidInputError } from '#libs/errors';
import { isRegistryHost } from '#libs/images';
import { RegistryHostResolver } from './registry-host.js';

describe('RegistryHostResolver', () => {
  const resolver = (env: Record<string, string>) => new RegistryHostResolver(loadConfig(env));

  it('prefers the service REGISTRY_HOST over the user one', () => {
    expect(resolver({ REGISTRY_HOST: 'svc:5000' }).resolve({ env: { REGISTRY_HOST: 'mine:5000' } })).toBe('svc:5000');
  });

  it('uses the user REGISTRY_HOST when the service has none', () => {
    expect(resolver({}).resolve({ env: { REGISTRY_HOST: 'registry.example.com:443' } })).toBe('registry.example.com:443');
  });

  it('takes the host the cluster announces before the driver default', () => {
    const announced = new RegistryHostResolver(loadConfig({ BUILD_DRIVER: 'kubernetes' }), { announced: () => ({ internal: 'registry.cluster:5000' }) });
    expect(announced.resolve({ env: {} })).toBe('registry.cluster:5000');
    expect(announced.resolve({ env: { REGISTRY_HOST: 'mine:5000' } })).toBe('mine:5000');
    const silent = new RegistryHostResolver(loadConfig({ BUILD_DRIVER: 'kubernetes' }), { announced: () => ({}) });
    expect(silent.resolve({ env: {} })).toBe('nuvolaris-registry-svc:5000');
  });

  it('falls back to the driver default', () => {
    expect(resolver({}).resolve({ env: {} })).toBe('127.0.0.1:5001');
    expect(resolver({ BUILD_DRIVER: 'kubernetes' }).resolve({ env: {} })).toBe('nuvolaris-registry-svc:5000');
  });

  it('refuses a user REGISTRY_HOST that is not a host', () => {
    for (const bad of ['evil.com/path', 'a b', 'host:port', 'x;rm -rf /', 'http://r:5000']) {
      expect(isRegistryHost(bad)).toBe(false);
      expect(() => resolver({}).resolve({ env: { REGISTRY_HOST: bad } })).toThrow(InvalidInputError);
    }
    for (const good of ['r', 'r:5000', 'a.b-c.d:65535', '[::1]:5000', '10.0.0.1:5000']) expect(isRegistryHost(good)).toBe(true);
  });

  describe('push and pull hosts', () => {
    const operator = { push: undefined, internal: 'nuvolaris-registry-svc:5000', pull: undefined, host: '127.0.0.1:32000' };
    const kube = (env: Record<string, string>, hosts: object = operator) =>
      new RegistryHostResolver(loadConfig({ BUILD_DRIVER: 'kubernetes', ...env }), { announced: () => hosts });

    it("push to the Operator's internal host, pull from its registry_host", () => {
      expect(kube({}).resolveBoth({ env: {} })).toEqual({ push: 'nuvolaris-registry-svc:5000', pull: '127.0.0.1:32000' });
    });

    it('prefer registry_push_host and registry_pull_host over the other annotations', () => {
      const hosts = { ...operator, push: 'push.cluster:5000', pull: 'pull.node:32000' };
      expect(kube({}, hosts).resolveBoth({ env: {} })).toEqual({ push: 'push.cluster:5000', pull: 'pull.node:32000' });
    });

    it('take REGISTRY_PUSH_HOST and REGISTRY_PULL_HOST of the service, then of the user, before annotations', () => {
      const service = kube({ REGISTRY_PUSH_HOST: 'svc-push:5000', REGISTRY_PULL_HOST: 'svc-pull:32000' });
      expect(service.resolveBoth({ env: { REGISTRY_PUSH_HOST: 'mine:1', REGISTRY_PULL_HOST: 'mine:2' } })).toEqual({ push: 'svc-push:5000', pull: 'svc-pull:32000' });
      expect(kube({}).resolveBoth({ env: { REGISTRY_PUSH_HOST: 'mine:1', REGISTRY_PULL_HOST: 'mine:2' } })).toEqual({ push: 'mine:1', pull: 'mine:2' });
    });

    it('keep REGISTRY_HOST alone meaning both directions, as before', () => {
      expect(kube({ REGISTRY_HOST: 'only:5000' }).resolveBoth({ env: {} })).toEqual({ push: 'only:5000', pull: 'only:5000' });
      expect(kube({}).resolveBoth({ env: { REGISTRY_HOST: 'user-only:5000' } })).toEqual({ push: 'user-only:5000', pull: 'user-only:5000' });
      expect(resolver({ REGISTRY_HOST: 'local:5001' }).resolveBoth({ env: {} })).toEqual({ push: 'local:5001', pull: 'local:5001' });
    });

    it('pull from the push host when nothing names a pull host', () => {
      expect(resolver({}).resolveBoth({ env: {} })).toEqual({ push: '127.0.0.1:5001', pull: '127.0.0.1:5001' });
      expect(resolver({ REGISTRY_PUSH_HOST: 'p:5000' }).resolveBoth({ env: {} })).toEqual({ push: 'p:5000', pull: 'p:5000' });
      expect(kube({}, {}).resolveBoth({ env: {} })).toEqual({ push: 'nuvolaris-registry-svc:5000', pull: 'nuvolaris-registry-svc:5000' });
    });

    it('refuse a user REGISTRY_PULL_HOST that is not a host, naming it', () => {
      expect(() => resolver({}).resolveBoth({ env: { REGISTRY_PULL_HOST: 'evil.com/x' } })).toThrow(/REGISTRY_PULL_HOST/);
    });
  });
});
