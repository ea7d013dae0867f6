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

/**
 * How the Deployment of deploy/base starts `process`: the node flags (the
 * image's entry point is `node`, the container's args are flags and then the
 * script) and the variables it gives a literal value (those read from
 * Secrets and ConfigMaps are the benchmark's own), such as MALLOC_ARENA_MAX.
 * Benchmarks start the process so too, so a figure is that of the process as
 * deployed (heap sizing flags and the allocator change its memory and CPU).
 */
export function deployedStart(process: DeployedProcess): { nodeFlags: string[]; literalEnv: Record<string, string> } {
  const manifest = new URL(`../../deploy/base/${process}-deployment.yaml`, import.meta.url);
  const deployment = parse(readFileSync(manifest, 'utf8')) as DeploymentManifest;
  const container = deployment.spec.template.spec.containers.find((c) => c.name === process);
  if (!container) throw new Error(`${manifest.pathname}: no container named ${process}`);
  const args = container.args ?? [];
  const script = args.findIndex((arg) => !arg.startsWith('-'));
  if (script < 0) throw new Error(`${manifest.pathname}: the ${process} container's args name no script`);
  const literal = (container.env ?? []).filter((entry) => entry.value !== undefined);
  return { nodeFlags: args.slice(0, script), literalEnv: Object.fromEntries(literal.map((entry) => [entry.name, entry.value!])) };
}
