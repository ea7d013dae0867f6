/**
 * Coalescing: 500 concurrent identical requests make exactly one build; once
 * a worker (local driver, real Docker Engine) has built and pushed it, 500
 * more identical requests find the image in the registry and build nothing.
 */
import { randomBytes } from 'node:crypto';
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, figure, held, ms } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { waitForSuccess } from './build-poller.js';
import { startApiProcess, startWorkerProcess } from './deployer-process.js';
import { JsonAnswer, JsonClient, inParallel } from './json-client.js';
import { summarize } from './latency-summary.js';

const NAME = 'coalescing';
const REQUESTS = 500;
const MODERATE_IN_FLIGHT = 16;

export const coalescingBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const deployment = new BenchDeployment(env);
    const api = await startApiProcess(deployment.env);
    const rows: BenchRow[] = [];
    try {
      const file = Buffer.from(`requests\n# coalescing ${randomBytes(4).toString('hex')}\n`).toString('base64');
      const body = { source: 'openserverless/runtime-base:local', target: `${deployment.user.login}:coalesced`, kind: 'python', file };
      const burst = async (inFlight: number) => {
        const client = new JsonClient();
        const send = () => client.send(`${api.url}/system/api/v1/build/start`, 'POST', { authorization: deployment.user.authorization }, body);
        return inParallel(REQUESTS, inFlight, send).finally(() => client.close());
      };
      const refused = (answers: JsonAnswer[]) => answers.filter((a) => a.status !== 200);

      const identical = await burst(REQUESTS);
      if (refused(identical).length > 0) throw new Error(`${refused(identical).length} identical requests refused, e.g. ${JSON.stringify(refused(identical)[0].body)}`);
      const ids = new Set(identical.map((a) => a.body.id));
      const fresh = identical.filter((a) => a.body.coalesced === false).length;
      const jobs = await deployment.jobCount();
      if (ids.size !== 1 || fresh !== 1 || jobs !== 1) {
        throw new Error(`${REQUESTS} identical requests gave ${ids.size} build ids, ${fresh} uncoalesced answers, ${jobs} queue jobs; expected 1, 1, 1`);
      }
      const together = summarize(identical.map((a) => a.ms));
      rows.push(figure(NAME, `${REQUESTS} identical new builds, all at once: builds`, '1 (checked)'));
      rows.push(figure(NAME, `${REQUESTS} identical new builds, all at once: latency`, `p50 ${ms(together.p50)}, max ${ms(together.max)}`));
      rows.push(held(NAME, `${REQUESTS} identical new builds, all at once: p99`, ms(together.p99), '<= 200 ms', together.p99 <= 200));

      const worker = await startWorkerProcess(deployment.env, deployment.queue);
      const built = await waitForSuccess(api.url, deployment.user.authorization, String([...ids][0]), 180_000).finally(() => worker.stop());

      for (const [inFlight, target] of [[REQUESTS, 150], [MODERATE_IN_FLIGHT, 8]]) {
        const recordsBefore = await deployment.recordCount();
        const answers = await burst(inFlight);
        const stored = (await deployment.recordCount()) - recordsBefore;
        const notExisting = answers.filter((a) => a.status !== 200 || a.body.state !== 'succeeded');
        const after = await deployment.jobCount();
        const sample = await waitForSuccess(api.url, deployment.user.authorization, String(answers[0].body.id), 1_000);
        if (notExisting.length > 0 || after !== jobs || sample.digest !== built.digest) {
          throw new Error(
            `existing image: ${notExisting.length} answers were not an immediate success, queue jobs ${jobs} -> ${after}, ` +
              `digest ${String(sample.digest)} instead of ${String(built.digest)}`,
          );
        }
        const latency = summarize(answers.map((a) => a.ms));
        const label = inFlight === REQUESTS ? 'all at once' : `${inFlight} in flight`;
        rows.push(figure(NAME, `${REQUESTS} for an existing image, ${label}: builds`, '0 (checked)'));
        rows.push(held(NAME, `${REQUESTS} for an existing image, ${label}: records stored`, String(stored), '<= 1', stored <= 1));
        rows.push(figure(NAME, `${REQUESTS} for an existing image, ${label}: p50`, ms(latency.p50)));
        rows.push(held(NAME, `${REQUESTS} for an existing image, ${label}: p99`, ms(latency.p99), `<= ${target} ms`, latency.p99 <= target));
      }
      return rows;
    } finally {
      await api.server.stop();
      await deployment.close();
    }
  },
};
