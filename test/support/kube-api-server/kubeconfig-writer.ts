import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubeconfigFile {
  path: string;
  remove(): Promise<void>;
}

/** Writes a kubeconfig whose current context points at the server with a bearer token and a default namespace. */
export async function writeKubeconfig(server: string, token: string, namespace: string): Promise<KubeconfigFile> {
  const directory = await mkdtemp(join(tmpdir(), 'kube-api-test-'));
  const path = join(directory, 'kubeconfig.yaml');
  const quote = (value: string) => JSON.stringify(value);
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: kube-api-test',
    '    cluster:',
    `      server: ${quote(server)}`,
    // @kubernetes/client-node refuses plain http unless TLS verification is explicitly skipped.
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: kube-api-test-user',
    '    user:',
    `      token: ${quote(token)}`,
    'contexts:',
    '  - name: kube-api-test',
    '    context:',
    '      cluster: kube-api-test',
    '      user: kube-api-test-user',
    `      namespace: ${quote(namespace)}`,
    'current-context: kube-api-test',
    '',
  ].join('\n');
  await writeFile(path, yaml, { mode: 0o600 });
  return { path, remove: () => rm(directory, { recursive: true, force: true }) };
}
