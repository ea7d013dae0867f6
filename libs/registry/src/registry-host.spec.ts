import { loadConfig } from '#libs/config';
import { InvalidInputError } from '#libs/errors';
import { RegistryHostResolver, isRegistryHost } from './registry-host.js';

describe('RegistryHostResolver', () => {
  const resolver = (env: Record<string, string>) => new RegistryHostResolver(loadConfig(env));

  it('prefers the service REGISTRY_HOST over the user one', () => {
    expect(resolver({ REGISTRY_HOST: 'svc:5000' }).resolve({ env: { REGISTRY_HOST: 'mine:5000' } })).toBe('svc:5000');
  });

  it('uses the user REGISTRY_HOST when the service has none', () => {
    expect(resolver({}).resolve({ env: { REGISTRY_HOST: 'registry.example.com:443' } })).toBe('registry.example.com:443');
  });

  it('takes the host the cluster announces before the driver default', () => {
    const announced = new RegistryHostResolver(loadConfig({ BUILD_DRIVER: 'kubernetes' }), { current: () => 'registry.cluster:5000' });
    expect(announced.resolve({ env: {} })).toBe('registry.cluster:5000');
    expect(announced.resolve({ env: { REGISTRY_HOST: 'mine:5000' } })).toBe('mine:5000');
    const silent = new RegistryHostResolver(loadConfig({ BUILD_DRIVER: 'kubernetes' }), { current: () => undefined });
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
});
