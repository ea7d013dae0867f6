import { BuilderCatalog } from '#libs/builders';
import { DeployerEnvironment } from '#libs/config';
import { kustomize, modelOf } from '../support/kustomize.js';

describe('deploy/ manifests', () => {
  const base = kustomize('deploy/base');
  const withRedis = kustomize('deploy/samples/with-redis');

  it.each([
    ['deploy/base', base],
    ['deploy/samples/with-redis', withRedis],
  ])('%s renders only objects valid against the Kubernetes schemas', async (_dir, objects) => {
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) {
      const Model = await modelOf(object);
      expect(() => new Model(object).validate()).not.toThrow();
      expect(object.metadata.namespace).toBe('nuvolaris');
    }
  });

  it('installs the API, the worker, their service account and the buildkitd configuration', () => {
    const names = base.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'Deployment/deployer-api',
        'Deployment/deployer-worker',
        'Service/deployer',
        'ServiceAccount/deployer',
        'Role/deployer',
        'RoleBinding/deployer',
        'ConfigMap/nuvolaris-buildkitd-conf',
        'ConfigMap/deployer-config',
      ]),
    );
    const toml = base.find((o) => o.metadata.name === 'nuvolaris-buildkitd-conf')!.data as Record<string, string>;
    expect(toml['buildkitd.toml']).toContain('[registry."nuvolaris-registry-svc:5000"]');
  });

  it('runs every container as non-root without privilege escalation, with probes on the API', () => {
    for (const deployment of withRedis.filter((o) => o.kind === 'Deployment')) {
      const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      for (const container of pod.containers as Record<string, unknown>[]) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(container.resources).toMatchObject({ requests: expect.any(Object), limits: expect.any(Object) });
      }
    }
    const api = base.find((o) => o.metadata.name === 'deployer-api')!;
    const container = (api.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/system/health' } });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/system/health/live' } });
  });

  it('fences build pods in: no ingress, egress to DNS, the registry and addresses outside the cluster only', () => {
    const policy = base.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'deployer-build-pods')!;
    const spec = policy.spec as {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: unknown[];
      egress: { to: { ipBlock?: { cidr: string; except: string[] }; podSelector?: unknown }[]; ports: { port: number }[] }[];
    };
    expect(spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/managed-by': 'openserverless-deployer' });
    expect(spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    expect(spec.ingress).toEqual([]);
    const outside = spec.egress.flatMap((rule) => rule.to).find((peer) => peer.ipBlock)!.ipBlock!;
    expect(outside.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']));
    // Redis (6379), CouchDB (5984) and the Kubernetes API (443 on a cluster address) are not among the allowed peers.
    const ports = spec.egress.flatMap((rule) => rule.ports.map((p) => p.port));
    expect(ports).not.toContain(6379);
    expect(ports).not.toContain(5984);
  });

  it('points the optional Redis component at its own Redis', () => {
    const config = withRedis.find((o) => o.metadata.name === 'deployer-config')!.data as Record<string, string>;
    expect(config.REDIS_HOST).toBe('deployer-redis');
    expect(withRedis.some((o) => o.kind === 'Service' && o.metadata.name === 'deployer-redis')).toBe(true);
    expect(base.some((o) => o.metadata.name === 'deployer-redis')).toBe(false);
  });

  it('mounts the builder catalog from a ConfigMap where BUILDER_CATALOG_FILE looks by default', () => {
    const catalog = base.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'deployer-builders')!;
    const builders = BuilderCatalog.parse(JSON.parse((catalog.data as Record<string, string>)['builders.json']), 'deploy/builders');
    expect(builders.list().length).toBeGreaterThan(0);
    const api = base.find((o) => o.metadata.name === 'deployer-api')!;
    const pod = (api.spec as { template: { spec: { containers: { volumeMounts?: { name: string; mountPath: string }[] }[]; volumes?: Record<string, unknown>[] } } }).template.spec;
    const volume = pod.volumes?.find((v) => (v.configMap as { name?: string } | undefined)?.name === 'deployer-builders') as {
      name: string;
      configMap: { items: { key: string; path: string }[] };
    };
    const mount = pod.containers[0].volumeMounts?.find((m) => m.name === volume.name);
    expect(`${mount?.mountPath}/${volume.configMap.items[0].path}`).toBe(new DeployerEnvironment().BUILDER_CATALOG_FILE);
  });
});
