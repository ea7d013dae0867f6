import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { buildJobName } from '#libs/builds';
import { buildJobOptions } from '../../../../test/support/build-job-options.fixture.js';
import { BuildSpec } from '../build-driver.js';
import { buildObjectNames } from './build-object-names.js';
import {
  BuildJobOptions,
  buildJob,
  buildctlArguments,
  caBundleConfigMap,
  caBundleConfigMapName,
  contextConfigMap,
  credentialsSecret,
  installSecretsSecret,
  proxiedScope,
} from './build-job.manifests.js';
import { BUILD_ID_LABEL, USER_LABEL, userLabelValue } from './kubernetes-labels.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const options: BuildJobOptions = buildJobOptions();
const own = (secret: string) => ({ secret, shared: false });
const shared = (secret: string) => ({ secret, shared: true });
const spec = (login = 'alice'): BuildSpec => ({
  buildId: '0mwv5oezo6055dfe345c',
  jobName: buildJobName(login, '0mwv5oezo6055dfe345c'),
  login,
  kind: 'python',
  registryHost: 'nuvolaris-registry-svc:5000',
  registrySecret: null,
  image: `nuvolaris-registry-svc:5000/${login}:python-1`,
  source: 'ghcr.io/apache/openserverless-runtime-python:v3.12',
  dockerfile: 'FROM ghcr.io/apache/openserverless-runtime-python:v3.12\n',
  dependencyFile: { name: 'requirements.txt', content: Buffer.from('requests\n') },
  installFiles: [{ name: 'deployer-install.sh', content: Buffer.from('#!/bin/sh\n') }],
  secrets: [],
  timeoutSeconds: 600,
  noCache: false,
});

describe('build Job manifests', () => {
  it.each(['alice', 'a'.repeat(120), 'dev.team_42', 'x--y'])('are valid Kubernetes objects for login %s', (login) => {
    const names = buildObjectNames(spec(login).jobName);
    const job = buildJob(spec(login), names, { ...options, registryProxyImage: 'openserverless/deployer:0.1.0' }, shared('registry-pull-secret'));
    expect(() => new Job(job as never).validate()).not.toThrow();
    expect(() => new ConfigMap(contextConfigMap(spec(login), names, options) as never).validate()).not.toThrow();
    const secret = credentialsSecret(spec(login), names, options, { username: 'u', password: 'p:w' });
    expect(() => new Secret(secret as never).validate()).not.toThrow();
    for (const name of [names.job, names.context, names.credentials, names.installSecrets]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(DNS_LABEL);
    }
    expect(job.metadata?.labels?.[USER_LABEL]).toBe(userLabelValue(login));
    expect(job.metadata?.labels?.[BUILD_ID_LABEL]).toBe('0mwv5oezo6055dfe345c');
  });

  it('copies the install files into the workspace beside the Dockerfile', () => {
    const names = buildObjectNames(spec().jobName);
    const job = buildJob(spec(), names, options, null);
    expect(job.spec!.template.spec!.initContainers![0].command).toEqual([
      'cp',
      '-L',
      '/context-source/Dockerfile',
      '/context-source/requirements.txt',
      '/context-source/deployer-install.sh',
      '/workspace/',
    ]);
    expect(contextConfigMap(spec(), names, options).data).toEqual({
      Dockerfile: 'FROM ghcr.io/apache/openserverless-runtime-python:v3.12\n',
      'requirements.txt': 'requests\n',
      'deployer-install.sh': '#!/bin/sh\n',
    });
  });

  it('hands mirrors to BuildKit from a per-build Secret and the CA bundle from one shared ConfigMap, to no other container', () => {
    const bundle = Buffer.from('-----BEGIN CERTIFICATE-----\n');
    const withSecrets: BuildSpec = {
      ...spec(),
      secrets: [
        { id: 'deployer-ca-bundle', content: bundle },
        { id: 'deployer-install-env', content: Buffer.from("PIP_INDEX_URL='https://u:pw@mirror/simple'\n") },
      ],
    };
    const names = buildObjectNames(withSecrets.jobName);
    const secret = installSecretsSecret(withSecrets, names, options);
    expect(() => new Secret(secret as never).validate()).not.toThrow();
    expect(Object.keys(secret.data!)).toEqual(['deployer-install-env']);
    expect(Buffer.from(secret.data!['deployer-install-env'], 'base64').toString()).toContain('u:pw@mirror');
    const shared = caBundleConfigMap(bundle, options);
    expect(() => new ConfigMap(shared as never).validate()).not.toThrow();
    expect(shared.metadata!.name).toBe(caBundleConfigMapName(bundle));
    expect(shared.metadata!.labels).not.toHaveProperty('app.kubernetes.io/managed-by');
    const job = buildJob(withSecrets, names, options, null);
    expect(() => new Job(job as never).validate()).not.toThrow();
    expect(JSON.stringify(job)).not.toContain('u:pw');
    const pod = job.spec!.template.spec!;
    expect(pod.volumes).toContainEqual({ name: 'install-secrets', secret: { secretName: names.installSecrets, defaultMode: 0o400 } });
    expect(pod.volumes).toContainEqual({ name: 'ca-bundle', configMap: { name: caBundleConfigMapName(bundle) } });
    expect(pod.initContainers![0].volumeMounts!.some((m) => m.name === 'install-secrets' || m.name === 'ca-bundle')).toBe(false);
    expect(pod.containers[0].args).toEqual(
      expect.arrayContaining([
        '--secret=id=deployer-ca-bundle,src=/home/user/.deployer-ca/ca.pem',
        '--secret=id=deployer-install-env,src=/home/user/.deployer-secrets/deployer-install-env',
      ]),
    );
    const caOnly = buildJob({ ...spec(), secrets: [{ id: 'deployer-ca-bundle', content: bundle }] }, names, options, null);
    expect(caOnly.spec!.template.spec!.volumes!.some((v) => v.name === 'install-secrets')).toBe(false);
    expect(buildJob(spec(), names, options, null).spec!.template.spec!.volumes!.some((v) => v.name === 'install-secrets' || v.name === 'ca-bundle')).toBe(false);
  });

  it('mounts registry credentials in the BuildKit container only, never in the context copier', () => {
    const job = buildJob(spec(), buildObjectNames(spec().jobName), options, own('registry-pull-secret'));
    const pod = job.spec!.template.spec!;
    expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'docker-config', secret: expect.objectContaining({ secretName: 'registry-pull-secret' }) }));
    expect(pod.initContainers![0].volumeMounts!.map((m) => m.name)).toEqual(['context-source', 'workspace']);
    expect(pod.containers[0].volumeMounts!.find((m) => m.name === 'docker-config')).toMatchObject({ readOnly: true });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostUsers).toBeUndefined();
    expect(pod.containers[0].env).toContainEqual({ name: 'BUILDKITD_FLAGS', value: '--oci-worker-no-process-sandbox' });
  });

  it('with user namespaces keeps BuildKit\'s process sandbox: hostUsers false, /proc unmasked, no --oci-worker-no-process-sandbox', () => {
    const job = buildJob(spec(), buildObjectNames(spec().jobName), { ...options, userNamespaces: true }, own('registry-pull-secret'));
    expect(() => new Job(job as never).validate()).not.toThrow();
    const pod = job.spec!.template.spec!;
    expect(pod.hostUsers).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({ procMount: 'Unmasked', runAsNonRoot: true });
    expect(JSON.stringify(pod.containers[0].env)).not.toContain('no-process-sandbox');
  });

  it('sets the deadline, the TTL and no retries', () => {
    const job = buildJob(spec(), buildObjectNames(spec().jobName), options, null);
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600, backoffLimit: 0 });
  });

  it('passes every value as its own argument, with no shell', () => {
    const job = buildJob(spec(), buildObjectNames(spec().jobName), options, null);
    const container = job.spec!.template.spec!.containers[0];
    expect(container.command).toEqual(['buildctl-daemonless.sh']);
    for (const c of [...job.spec!.template.spec!.initContainers!, container]) {
      expect([...(c.command ?? []), ...(c.args ?? [])].some((a) => /^(sh|bash|\/bin\/sh)$/.test(a) || a === '-c')).toBe(false);
    }
    expect(buildctlArguments(spec(), options)).toContain(
      '--output=type=image,name=nuvolaris-registry-svc:5000/alice:python-1,push=true,registry.insecure=true',
    );
  });

  it('imports and exports a registry cache per user and kind', () => {
    const args = buildctlArguments(spec(), options);
    expect(args).toContain('--import-cache=type=registry,ref=nuvolaris-registry-svc:5000/alice:buildcache-python,registry.insecure=true');
    expect(buildctlArguments(spec(), { ...options, cache: false }).some((a) => a.includes('cache'))).toBe(false);
  });

  it('puts user:password credentials only in the Secret, base64-encoded', () => {
    const names = buildObjectNames(spec().jobName);
    const secret = credentialsSecret(spec(), names, options, { username: 'bob', password: 's3cret' });
    const config = JSON.parse(Buffer.from(secret.data!['.dockerconfigjson'], 'base64').toString()) as {
      auths: Record<string, { auth: string }>;
    };
    expect(Buffer.from(config.auths['nuvolaris-registry-svc:5000'].auth, 'base64').toString()).toBe('bob:s3cret');
    expect(JSON.stringify(buildJob(spec(), names, options, own(names.credentials)))).not.toContain('s3cret');
  });

  describe('with shared credentials and the registry proxy', () => {
    const proxied = { ...options, insecureRegistry: false, registryProxyImage: 'openserverless/deployer:0.1.0' };
    const onRegistry: BuildSpec = {
      ...spec(),
      source: 'nuvolaris-registry-svc:5000/alice:python-base',
      dockerfile: 'FROM nuvolaris-registry-svc:5000/alice:python-base\nRUN true\n',
    };
    const podOf = (job: ReturnType<typeof buildJob>) => job.spec!.template.spec!;

    it('mounts the shared secret in the proxy sidecar only: BuildKit, where the tenant\'s steps run, never sees it', () => {
      const job = buildJob(onRegistry, buildObjectNames(onRegistry.jobName), proxied, shared('registry-pull-secret'));
      expect(() => new Job(job as never).validate()).not.toThrow();
      const pod = podOf(job);
      const [copier, proxy] = pod.initContainers!;
      expect(proxy).toMatchObject({ name: 'registry-proxy', image: 'openserverless/deployer:0.1.0', restartPolicy: 'Always' });
      expect(proxy.volumeMounts).toContainEqual({ name: 'docker-config', mountPath: '/run/registry-credentials', readOnly: true });
      for (const container of [copier, pod.containers[0]]) {
        expect(container.volumeMounts!.some((m) => m.name === 'docker-config')).toBe(false);
      }
      expect(proxy.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(proxy.securityContext?.runAsUser).not.toBe(pod.containers[0].securityContext?.runAsUser);
      expect(proxy.startupProbe?.exec?.command).toEqual(['node', 'dist/apps/registry-proxy/src/main.js', '--check', '127.0.0.1:15000']);
      expect(pod.shareProcessNamespace).toBeUndefined();
    });

    it('scopes the proxy to the build\'s own repository and its source, and sends BuildKit through it', () => {
      const names = buildObjectNames(onRegistry.jobName);
      const job = buildJob(onRegistry, names, proxied, shared('registry-pull-secret'));
      const proxy = podOf(job).initContainers![1];
      expect(proxy.args).toEqual([
        '--listen', '127.0.0.1:15000',
        '--upstream', 'nuvolaris-registry-svc:5000',
        '--docker-config', '/run/registry-credentials/config.json',
        '--push', 'alice',
      ]);
      const args = podOf(job).containers[0].args!;
      expect(args).toContain('--output=type=image,name=127.0.0.1:15000/alice:python-1,push=true,registry.insecure=true');
      expect(args).toContain('--import-cache=type=registry,ref=127.0.0.1:15000/alice:buildcache-python,registry.insecure=true');
      expect(args.join(' ')).not.toContain('nuvolaris-registry-svc');
      expect(contextConfigMap(onRegistry, names, proxied, undefined, proxiedScope(onRegistry, proxied, shared('s'))).data!.Dockerfile).toBe(
        'FROM 127.0.0.1:15000/alice:python-base\nRUN true\n',
      );
    });

    it('lets the proxy pull a source of another repository on the registry, and leaves other registries alone', () => {
      const runtime: BuildSpec = { ...onRegistry, source: 'nuvolaris-registry-svc:5000/openserverless/runtime-python@sha256:' + 'a'.repeat(64), dockerfile: 'FROM x\n' };
      expect(proxiedScope(runtime, { ...proxied, insecureRegistry: true }, shared('s'))).toEqual({
        upstream: 'nuvolaris-registry-svc:5000',
        plainHttp: true,
        push: ['alice'],
        pull: ['openserverless/runtime-python'],
      });
      const elsewhere = proxiedScope(spec(), proxied, shared('s'))!;
      expect(elsewhere.pull).toEqual([]);
      expect(contextConfigMap(spec(), buildObjectNames(spec().jobName), proxied, undefined, elsewhere).data!.Dockerfile).toBe(spec().dockerfile);
    });

    it('is not used for the user\'s own credentials, nor when turned off', () => {
      for (const [opts, credentials] of [
        [proxied, own('alice-registry')],
        [options, shared('registry-pull-secret')],
      ] as const) {
        const pod = podOf(buildJob(onRegistry, buildObjectNames(onRegistry.jobName), opts, credentials));
        expect(pod.initContainers!.map((c) => c.name)).toEqual(['context']);
        expect(pod.containers[0].volumeMounts!.some((m) => m.name === 'docker-config')).toBe(true);
      }
    });
  });
});
