import { loadConfig } from '#libs/config';
import { redisConnectionOptions } from '#libs/redis';
import { kustomize, modelOf } from '../support/kustomize.js';

type Container = { name: string; env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] };

describe('deploy/samples/with-sentinel', () => {
  const objects = kustomize('deploy/samples/with-sentinel');

  it('renders only objects valid against the Kubernetes schemas', async () => {
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) {
      const Model = await modelOf(object);
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  it('configures a deployer that asks the sentinels for its master and waits for a replica', () => {
    const data = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'deployer-config')!.data as Record<string, string>;
    expect(data).not.toHaveProperty('REDIS_HOST');
    const options = redisConnectionOptions(loadConfig(data)) as { sentinels?: { host: string; port: number }[]; name?: string };
    expect(options.sentinels).toHaveLength(3);
    expect(options.name).toBe('mymaster');
    expect(loadConfig(data).REDIS_WAIT_REPLICAS).toBe(1);
  });

  it('gives the API and the worker the Redis and Sentinel passwords from a Secret, never as literals', () => {
    for (const name of ['deployer-api', 'deployer-worker']) {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
      const [container] = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
      const refs = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef]));
      expect(refs).toMatchObject({
        REDIS_PASSWORD: { name: 'deployer-redis', key: 'password' },
        REDIS_SENTINEL_PASSWORD: { name: 'deployer-redis', key: 'sentinel-password' },
      });
    }
  });
});
