import { Queue } from 'bullmq';
import { BuilderCatalog } from '#libs/builders';
import { BUILD_QUEUE } from '#libs/queues';
import { DeployerEnvironment } from '#libs/config';
import { kustomize, modelOf } from '../support/kustomize.js';

describe('deploy/ manifests', () => {
  const base = kustomize('deploy/base');
  const withRedis = kustomize('deploy/samples/with-redis');
  const withAutoscaling = kustomize('deploy/samples/with-autoscaling');

  it.each([
    ['deploy/base', base],
    ['deploy/samples/with-redis', withRedis],
    ['deploy/samples/with-autoscaling', withAutoscaling],
  ])('%s renders only objects valid against the Kubernetes schemas', async (_dir, objects) => {
    expect(objects.length).toBeGreaterThan(5);
    // KEDA's CRD is not in kubernetes-models: its one object is checked by hand below.
    for (const object of objects.filter((o) => o.apiVersion !== 'keda.sh/v1alpha1')) {
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

  it("runs the build pods' registry proxy from the very image the worker runs", () => {
    const worker = base.find((o) => o.kind === 'Deployment' && o.metadata.name === 'deployer-worker')!;
    const image = (worker.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image;
    const config = base.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'deployer-config')!.data as Record<string, string>;
    expect(image).toBe('openserverless/deployer:0.1.0');
    expect(config.BUILD_REGISTRY_PROXY_IMAGE).toBe(image);
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

  it('sizes the heap of the API with node flags before its script, the whole heap within the memory limit', () => {
    const api = base.find((o) => o.kind === 'Deployment' && o.metadata.name === 'deployer-api')!;
    const [container] = (api.spec as { template: { spec: { containers: { args: string[]; resources: { limits: { memory: string } } }[] } } })
      .template.spec.containers;
    expect(container.args.at(-1)).toBe('dist/apps/api/src/main.js');
    const flag = (name: string) => Number(container.args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1]);
    const limitMiB = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1]);
    const semiSpaceMiB = flag('max-semi-space-size');
    const oldSpaceMiB = flag('max-old-space-size');
    expect(semiSpaceMiB).toBeGreaterThan(0);
    expect(oldSpaceMiB).toBeGreaterThan(0);
    // An idle replica's young generation is kept at a size load can meet, never above its cap.
    const minSemiSpaceMiB = flag('min-semi-space-size');
    expect(minSemiSpaceMiB).toBeGreaterThan(1);
    expect(minSemiSpaceMiB).toBeLessThanOrEqual(semiSpaceMiB);
    // The old generation starts large (fewer full collections under load), never beyond its cap.
    const initialOldSpaceMiB = flag('initial-old-space-size');
    expect(initialOldSpaceMiB).toBeGreaterThan(0);
    expect(initialOldSpaceMiB).toBeLessThanOrEqual(oldSpaceMiB);
    // The young generation is three semi-spaces; the node binary, code and buffers need the rest.
    expect(oldSpaceMiB + 3 * semiSpaceMiB).toBeLessThanOrEqual(limitMiB * 0.8);
  });

  it('stops gracefully: termination grace periods cover the drain and the build grace, and PodDisruptionBudgets keep one pod of each', () => {
    const config = base.find((o) => o.metadata.name === 'deployer-config')!.data as Record<string, string>;
    const podOf = (name: string) => (base.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(Number(podOf('deployer-api').terminationGracePeriodSeconds)).toBeGreaterThan(Number(config.SHUTDOWN_DRAIN_SECONDS) + 10);
    expect(Number(podOf('deployer-worker').terminationGracePeriodSeconds)).toBeGreaterThan(Number(config.SHUTDOWN_GRACE_SECONDS) + 10);
    const probe = (podOf('deployer-api').containers as { readinessProbe: { periodSeconds: number; failureThreshold: number } }[])[0].readinessProbe;
    // The probe sees the 503 of a stopping API before its drain ends.
    expect(probe.periodSeconds * probe.failureThreshold).toBeLessThan(Number(config.SHUTDOWN_DRAIN_SECONDS));

    const budgets = base.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(['deployer-api', 'deployer-worker']);
    for (const budget of budgets) {
      const spec = budget.spec as { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number };
      const deployment = base.find((o) => o.kind === 'Deployment' && o.metadata.name === budget.metadata.name)!;
      const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      expect(labels).toMatchObject(spec.selector.matchLabels);
      expect(spec.minAvailable === 1 || spec.maxUnavailable === 1).toBe(true);
    }
  });

  it('scales the workers with an optional KEDA ScaledObject on the wait list BullMQ really uses', async () => {
    expect(base.some((o) => o.kind === 'ScaledObject')).toBe(false);
    const scaled = withAutoscaling.filter((o) => o.kind === 'ScaledObject');
    expect(scaled).toHaveLength(1);
    const [object] = scaled;
    expect(object.apiVersion).toBe('keda.sh/v1alpha1');
    expect(object.metadata.namespace).toBe('nuvolaris');
    expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    const spec = object.spec as {
      scaleTargetRef: { name: string; kind?: string; apiVersion?: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      pollingInterval: number;
      cooldownPeriod: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    expect(Object.keys(spec).sort()).toEqual(['cooldownPeriod', 'maxReplicaCount', 'minReplicaCount', 'pollingInterval', 'scaleTargetRef', 'triggers']);
    // KEDA's defaults (apps/v1 Deployment) name the worker Deployment of the same render.
    expect(spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    expect(withAutoscaling.some((o) => o.kind === 'Deployment' && o.metadata.name === spec.scaleTargetRef.name && spec.scaleTargetRef.name === 'deployer-worker')).toBe(true);
    expect(Number.isInteger(spec.minReplicaCount) && spec.minReplicaCount >= 1).toBe(true);
    expect(Number.isInteger(spec.maxReplicaCount) && spec.maxReplicaCount > spec.minReplicaCount).toBe(true);
    expect(spec.pollingInterval).toBeGreaterThan(0);
    expect(spec.cooldownPeriod).toBeGreaterThan(0);

    expect(spec.triggers).toHaveLength(1);
    const [trigger] = spec.triggers;
    expect(trigger.type).toBe('redis');
    expect(Object.keys(trigger.metadata).sort()).toEqual(['hostFromEnv', 'listLength', 'listName', 'portFromEnv']);
    // The worker's environment has what the trigger reads from it.
    const config = withAutoscaling.find((o) => o.metadata.name === 'deployer-config')!.data as Record<string, string>;
    expect(config[trigger.metadata.hostFromEnv]).toBe('deployer-redis');
    expect(config[trigger.metadata.portFromEnv]).toMatch(/^\d+$/);
    expect(trigger.metadata.listLength).toMatch(/^[1-9]\d*$/);
    // The key BullMQ itself builds for the build queue under the default prefix.
    const prefix = config.REDIS_PREFIX ?? new DeployerEnvironment().REDIS_PREFIX;
    const queue = new Queue(BUILD_QUEUE, { prefix, connection: { host: '127.0.0.1', port: 6379, lazyConnect: true } });
    try {
      expect(trigger.metadata.listName).toBe(queue.toKey('wait'));
    } finally {
      await queue.close();
    }
  });
});
