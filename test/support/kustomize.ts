import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Renders a kustomization with kubectl's embedded kustomize (part of the machine image). */
export function kustomize(dir: string): KubernetesObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], { cwd: ROOT, encoding: 'utf8' });
  } catch (error) {
    throw new Error(`kubectl kustomize ${dir} failed (is kubectl installed?): ${(error as Error).message}`);
  }
  return parseAllDocuments(output).map((doc) => doc.toJSON() as KubernetesObject);
}

/** The kubernetes-models class of an object, by apiVersion and kind. */
export async function modelOf(object: KubernetesObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  const module = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  return module[object.kind];
}
