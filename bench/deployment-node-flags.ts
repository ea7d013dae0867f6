import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type DeployedProcess = 'api' | 'worker';

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
}

interface DeploymentManifest {
  spec: { template: { spec: { containers: Container[] } } };
}

function deployedContainer(process: DeployedProcess): { container: Container; manifest: URL } {
  const manifest = new URL(`../../deploy/base/${process}-deployment.yaml`, import.meta.url);
  const deployment = parse(readFileSync(manifest, 'utf8')) as DeploymentManifest;
  const container = deployment.spec.template.spec.containers.find((c) => c.name === process);
  if (!container) throw new Error(`${manifest.pathname}: no container named ${process}`);
  return { container, manifest };
}

/**
 * The node flags the Deployment of deploy/base starts `process` with: the
 * image's entry point is `node`, the container's args are flags and then the
 * script. Benchmarks pass them too, so a figure is that of the process as
 * deployed (heap sizing flags change its memory and its CPU).
 */
export function deploymentNodeFlags(process: DeployedProcess): string[] {
  const { container, manifest } = deployedContainer(process);
  const args = container.args ?? [];
  const script = args.findIndex((arg) => !arg.startsWith('-'));
  if (script < 0) throw new Error(`${manifest.pathname}: the ${process} container's args name no script`);
  return args.slice(0, script);
}

/**
 * The variables the Deployment gives `process` a literal value of (those
 * read from Secrets and ConfigMaps are the benchmark's own), such as
 * MALLOC_ARENA_MAX: they shape the process's memory as its flags do.
 */
export function deploymentLiteralEnv(process: DeployedProcess): Record<string, string> {
  const literal = (deployedContainer(process).container.env ?? []).filter((entry) => entry.value !== undefined);
  return Object.fromEntries(literal.map((entry) => [entry.name, entry.value!]));
}
