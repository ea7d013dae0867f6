import { ConfigurationError, loadConfig, registryUsesHttp } from './load-config.js';
import { DeployerEnvironment } from './deployer-config.js';

describe('loadConfig', () => {
  it('accepts trusted proxies as addresses, CIDRs and names, and refuses anything else', () => {
    expect(loadConfig({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,fd00::/8,192.0.2.1' }).TRUSTED_PROXIES).toBeDefined();
    for (const bad of ['10.0.0.0/33', 'ingress.example', '*', '10.0.0.1/8/1']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });

  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.LISTEN_PORT).toBe(5000);
    expect(config.STRICT_USER_CHECK).toBe(true);
    expect(config.BUILD_DRIVER).toBe('local');
    expect(config.MAX_FILE_BYTES).toBe(524288);
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ LISTEN_PORT: '8080', STRICT_USER_CHECK: 'false', BUILD_CONCURRENCY: '4' });
    expect(config).toMatchObject({ LISTEN_PORT: 8080, STRICT_USER_CHECK: false, BUILD_CONCURRENCY: 4 });
  });

  it('checks the cleanup schedule is a cron expression', () => {
    expect(loadConfig({ CLEANUP_CRON: '*/5 * * * *' }).CLEANUP_CRON).toBe('*/5 * * * *');
    expect(() => loadConfig({ CLEANUP_CRON: 'every hour' })).toThrow(/CLEANUP_CRON="every hour": CLEANUP_CRON must be a cron expression/);
  });

  it('names every bad variable in one error', () => {
    expect(() => loadConfig({ LISTEN_PORT: 'eighty', BUILD_DRIVER: 'podman', STRICT_USER_CHECK: 'maybe' })).toThrow(
      ConfigurationError,
    );
    try {
      loadConfig({ LISTEN_PORT: 'eighty', BUILD_DRIVER: 'podman' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('LISTEN_PORT="eighty"');
      expect(message).toContain('BUILD_DRIVER="podman"');
    }
  });

  it('keeps optional secrets and leaves unset ones undefined', () => {
    expect(loadConfig({ REGISTRY_PASS: 's3cret' }).REGISTRY_PASS).toBe('s3cret');
    expect(loadConfig({ REGISTRY_PASS: '' }).REGISTRY_PASS).toBeUndefined();
    expect(loadConfig({}).REGISTRY_HOST).toBeUndefined();
  });

  it('treats loopback registries as plain HTTP', () => {
    expect(registryUsesHttp(loadConfig({}), '127.0.0.1:5001')).toBe(true);
    expect(registryUsesHttp(loadConfig({}), 'registry.example.com')).toBe(false);
    expect(registryUsesHttp(loadConfig({ REGISTRY_INSECURE: 'true' }), 'nuvolaris-registry-svc:5000')).toBe(true);
  });

  it('treats only loopback addresses as loopback, not names that start like one', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:5001', '127.1.2.3:80', 'localhost:5000', '[::1]:5000']) {
      expect(registryUsesHttp(loadConfig({}), host)).toBe(true);
    }
    for (const host of ['127.evil.example', '127.evil.example:5000', '127.0.0.1.nip.io:5000', '127.0.0.1x', 'localhost.evil.example']) {
      expect(registryUsesHttp(loadConfig({}), host)).toBe(false);
    }
  });
});

describe('optional variables', () => {
  it('are discoverable on the DTO (initialised to undefined) and read from the environment', () => {
    const optional = Object.entries(new DeployerEnvironment()).filter(([, value]) => value === undefined).map(([name]) => name);
    expect(optional).toEqual(expect.arrayContaining(['REDIS_PASSWORD', 'REGISTRY_HOST', 'TRUSTED_PROXIES', 'BUILD_CA_BUNDLE', 'ADMIN_TOKEN']));
    const config = loadConfig({ REDIS_PASSWORD: 'p', ADMIN_LOGINS: 'root', REGISTRY_PULL_HOST: 'pull:5000', KUBECONFIG: '/k' });
    expect(config).toMatchObject({ REDIS_PASSWORD: 'p', ADMIN_LOGINS: 'root', REGISTRY_PULL_HOST: 'pull:5000', KUBECONFIG: '/k' });
    expect(loadConfig({}).REGISTRY_HOST).toBeUndefined();
  });
});
