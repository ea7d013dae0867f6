import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type DeployedProcess = 'api' | 'worker';

interface DeploymentManifest {
  spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } };
}

/**
 * The node flags the Deployment of deploy/base starts `process` with: the
 * image's entry point is `node`, the container's args are flags and then the
 * script. Benchmarks pass them too, so a figure is that of the process as
 * deployed (heap sizing flags change its memory and its CPU).
 */
export function deploymentNodeFlags(process: DeployedProcess): string[] {
  const manifest = new URL(`../../deploy/base/${process}-deployment.yaml`, import.meta.url);
  const deployment = parse(readFileSync(manifest, 'utf8')) as DeploymentManifest;
  const container = deployment.spec.template.spec.containers.find((c) => c.name === process);
  if (!container) throw new Error(`${manifest.pathname}: no container named ${process}`);
  const args = container.args ?? [];
  const script = args.findIndex((arg) => !arg.startsWith('-'));
  if (script < 0) throw new Error(`${manifest.pathname}: the ${process} container's args name no script`);
  return args.slice(0, script);
}
