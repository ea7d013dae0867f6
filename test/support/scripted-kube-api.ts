import { KubeApiTestServer, Scenario, StoredObject } from './kube-api-server/index.js';

/**
 * A Kubernetes API test server whose build Jobs behave as the scenario
 * registered (in `scenarios`) for the tag they build.
 */
export async function startScriptedKubeApi(): Promise<{ server: KubeApiTestServer; scenarios: Map<string, Scenario> }> {
  const server = new KubeApiTestServer({ timeScale: 0.01 });
  const scenarios = new Map<string, Scenario>();
  server.script((job: StoredObject) => {
    const args = JSON.stringify((job as { spec?: unknown }).spec ?? {});
    for (const [tag, scenario] of scenarios) if (args.includes(`:${tag},push=true`)) return scenario;
    return undefined;
  });
  await server.start();
  return { server, scenarios };
}
