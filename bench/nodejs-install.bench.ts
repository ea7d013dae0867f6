/**
 * Real dependency installs on the local driver: the nodejs runtime look-alike
 * (no /bin/extend) extended with a package.json whose dependencies npm
 * installs from the npm registry. Three builds: the first (a file never built
 * before), the same file under another tag (BuildKit's cache), and the file
 * with one dependency changed (only the install step runs again). Wall time
 * from sending the request to the status reading `succeeded`; the ratios are
 * of the same run.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, figure, ms } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { waitForSuccess } from './build-poller.js';
import { startApiProcess, startWorkerProcess } from './deployer-process.js';
import { JsonClient } from './json-client.js';

const NAME = 'nodejs install';

const packageJson = (marker: string, isNumber: string) =>
  JSON.stringify({ name: 'bench-action', description: `bench ${marker}`, dependencies: { 'is-number': isNumber, 'left-pad': '1.3.0' } });

export const nodejsInstallBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const deployment = new BenchDeployment(env, { BUILD_DRIVER: 'local' });
    const api = await startApiProcess(deployment.env);
    const worker = await startWorkerProcess(deployment.env, deployment.queue);
    const client = new JsonClient();
    try {
      const build = async (tag: string, content: string) => {
        const started = performance.now();
        const answer = await client.send(`${api.url}/system/api/v1/build/start`, 'POST', { authorization: deployment.user.authorization }, {
          source: String(env.NODEJS_BASE_IMAGE ?? 'openserverless/runtime-nodejs:local'),
          target: `${deployment.user.login}:${tag}`,
          kind: 'nodejs',
          file: Buffer.from(content).toString('base64'),
        });
        if (answer.status !== 200 || answer.body.state !== 'queued') throw new Error(`build ${tag} not queued: ${JSON.stringify(answer.body)}`);
        const id = String(answer.body.id);
        await waitForSuccess(api.url, deployment.user.authorization, id, 600_000);
        const elapsed = performance.now() - started;
        const logs = await client.send(`${api.url}/system/api/v1/build/${id}/logs`, 'GET', { authorization: deployment.user.authorization });
        const lines = (logs.body.lines as string[] | undefined) ?? [];
        return { elapsed, installed: lines.some((line) => line.includes('deployer-install: npm install')) };
      };
      const marker = randomBytes(4).toString('hex');
      const first = await build('first', packageJson(marker, '7.0.0'));
      const cached = await build('cached', packageJson(marker, '7.0.0'));
      const changed = await build('changed', packageJson(marker, '6.0.0'));
      // The benchmark's own checks: the first and the changed build installed, the cached one did not.
      if (!first.installed || !changed.installed) throw new Error('a build that had to install did not run npm install');
      if (cached.installed) throw new Error('the same file under another tag ran npm install again instead of using the cache');
      const ratio = (value: number) => `${((value / first.elapsed) * 100).toFixed(0)} % of the first`;
      const rows: BenchRow[] = [
        figure(NAME, 'first build (npm install from the registry)', ms(first.elapsed)),
        figure(NAME, 'same file, another tag (BuildKit cache)', `${ms(cached.elapsed)} (${ratio(cached.elapsed)})`),
        figure(NAME, 'one dependency changed (install step only)', `${ms(changed.elapsed)} (${ratio(changed.elapsed)})`),
      ];
      return rows;
    } finally {
      client.close();
      await worker.stop();
      await api.server.stop();
      await deployment.close();
    }
  },
};
