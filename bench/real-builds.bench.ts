/**
 * Real builds on the local driver (BuildKit of the Docker Engine, pushing to
 * the local registry): the first build of the sample requirements.txt, made
 * unique so nothing is cached, then the same file under another tag, which
 * BuildKit serves from its cache. Wall time from sending the request to the
 * status reading `succeeded`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, figure, ms } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { waitForSuccess } from './build-poller.js';
import { startApiProcess, startWorkerProcess } from './deployer-process.js';
import { JsonClient } from './json-client.js';

const NAME = 'real builds';
const SAMPLE = new URL('../../deploy/samples/requirements.txt', import.meta.url);

export const realBuildsBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const deployment = new BenchDeployment(env, { BUILD_DRIVER: 'local' });
    const api = await startApiProcess(deployment.env);
    const worker = await startWorkerProcess(deployment.env, deployment.queue);
    try {
      const content = `${readFileSync(SAMPLE, 'utf8')}# bench ${randomBytes(4).toString('hex')}\n`;
      const file = Buffer.from(content).toString('base64');
      const build = async (tag: string) => {
        const started = performance.now();
        const client = new JsonClient();
        const answer = await client.send(`${api.url}/system/api/v1/build/start`, 'POST', { authorization: deployment.user.authorization }, {
          source: String(env.BASE_IMAGE ?? 'openserverless/runtime-base:local'),
          target: `${deployment.user.login}:${tag}`,
          kind: 'python',
          file,
        }).finally(() => client.close());
        if (answer.status !== 200 || answer.body.state !== 'queued') throw new Error(`build ${tag} not queued: ${JSON.stringify(answer.body)}`);
        const status = await waitForSuccess(api.url, deployment.user.authorization, String(answer.body.id), 300_000);
        if (!/^sha256:[0-9a-f]{64}$/.test(String(status.digest))) throw new Error(`build ${tag} succeeded without a digest`);
        return performance.now() - started;
      };
      const first = await build('first');
      const second = await build('second');
      const rows: BenchRow[] = [
        figure(NAME, 'first build of deploy/samples/requirements.txt', ms(first)),
        figure(NAME, 'same file, another tag (BuildKit cache)', ms(second)),
      ];
      return rows;
    } finally {
      await worker.stop();
      await api.server.stop();
      await deployment.close();
    }
  },
};
