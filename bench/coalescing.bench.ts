/**
 * Coalescing: 500 concurrent identical requests make exactly one build; once
 * a worker (local driver, real Docker Engine) has built and pushed it, 500
 * more identical requests find the image in the registry and build nothing.
 *
 * The targets are met by an API in service, whose request path is compiled:
 * the first burst is the API's first requests (cold, a figure), then 3,000
 * requests that join that build warm the path, and the held figure is a
 * second burst, of another new build. Likewise 3,000 requests for the
 * existing image come before the two bursts measured for it, which also
 * print the API's and Redis's CPU per answer. The requests come from a
 * generator of its own (burst.load.ts), whose CPU share is shown, with every
 * lane connected before its clock starts.
 */
import { randomBytes } from 'node:crypto';
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, cores, figure, held, ms } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { waitForSuccess } from './build-poller.js';
import { type CpuClock, cpuUsedBy } from './cpu-clocks.js';
import type { BurstAnswer, BurstResult } from './burst.load.js';
import { startApiProcess, startBareProcess, startWorkerProcess } from './deployer-process.js';
import { JsonClient } from './json-client.js';
import { summarize } from './latency-summary.js';
import { runBurst } from './load-generators.run.js';

const NAME = 'coalescing';
const REQUESTS = 500;
const MODERATE_IN_FLIGHT = 16;
const WARM_UP_REQUESTS = 3_000;
/**
 * The bursts for an existing image, with the p99 each is held to. With 16 in
 * flight one stall of this shared machine delays 16 answers at once, a whole
 * p99 of 500; 2,000 requests put 20 such stalls' worth in the top 1 %.
 */
const EXISTING_BURSTS = [
  { label: 'all at once', count: REQUESTS, inFlight: REQUESTS, p99Ms: 150 },
  { label: `${MODERATE_IN_FLIGHT} in flight`, count: 2_000, inFlight: MODERATE_IN_FLIGHT, p99Ms: 8 },
];

const latencyOf = (result: BurstResult) => summarize(result.answers.map((a) => a.ms));
const generator = (result: BurstResult) =>
  `wall ${ms(result.wallMs)}, generator ${cores(result.generatorCores)}; lanes connected in ${ms(result.connectMs)} before`;
const refused = (answers: BurstAnswer[]) => answers.filter((a) => a.status !== 200);

export const coalescingBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const deployment = new BenchDeployment(env);
    const api = await startApiProcess(deployment.env);
    const rows: BenchRow[] = [];
    try {
      const file = Buffer.from(`requests\n# coalescing ${randomBytes(4).toString('hex')}\n`).toString('base64');
      const bodyFor = (tag: string) => ({ source: 'openserverless/runtime-base:local', target: `${deployment.user.login}:${tag}`, kind: 'python', file });
      const body = bodyFor('coalesced');
      const burst = (payload: object, count: number, inFlight: number): Promise<BurstResult> =>
        runBurst({
          url: `${api.url}/system/api/v1/build/start`,
          headers: { authorization: deployment.user.authorization },
          body: JSON.stringify(payload),
          count,
          inFlight,
        });
      /** One build for all of a burst's answers: its id, after checking that a single answer started it and `jobs` are queued. */
      const oneBuild = async (result: BurstResult, jobsExpected: number, startedExpected: number): Promise<string> => {
        const answers = result.answers;
        if (refused(answers).length > 0) throw new Error(`${refused(answers).length} identical requests refused, e.g. ${JSON.stringify(refused(answers)[0].body)}`);
        const ids = new Set(answers.map((a) => a.body.id));
        const started = answers.filter((a) => a.body.coalesced === false).length;
        const jobs = await deployment.jobCount();
        if (ids.size !== 1 || started !== startedExpected || jobs !== jobsExpected) {
          throw new Error(
            `${answers.length} identical requests gave ${ids.size} build ids, ${started} uncoalesced answers, ${jobs} queue jobs; ` +
              `expected 1, ${startedExpected}, ${jobsExpected}`,
          );
        }
        return String([...ids][0]);
      };

      const cold = await burst(body, REQUESTS, REQUESTS);
      const buildId = await oneBuild(cold, 1, 1);
      const coldLatency = latencyOf(cold);
      rows.push(figure(NAME, `${REQUESTS} identical new builds, all at once, the API's first requests: builds`, '1 (checked)'));
      rows.push(figure(NAME, `${REQUESTS} identical new builds, all at once, the API's first requests: latency`, `p50 ${ms(coldLatency.p50)}, p99 ${ms(coldLatency.p99)}; ${generator(cold)}`));

      if ((await oneBuild(await burst(body, WARM_UP_REQUESTS, MODERATE_IN_FLIGHT), 1, 0)) !== buildId) throw new Error('the warm-up requests joined another build');
      const second = bodyFor('coalesced-again');
      const identical = await burst(second, REQUESTS, REQUESTS);
      const secondId = await oneBuild(identical, 2, 1);
      const together = latencyOf(identical);
      rows.push(figure(NAME, `${REQUESTS} identical new builds, all at once (after ${WARM_UP_REQUESTS.toLocaleString('en')} joining): builds`, '1 (checked)'));
      rows.push(figure(NAME, `${REQUESTS} identical new builds, all at once: latency`, `p50 ${ms(together.p50)}, max ${ms(together.max)}; ${generator(identical)}`));
      rows.push(held(NAME, `${REQUESTS} identical new builds, all at once: p99`, ms(together.p99), '<= 200 ms', together.p99 <= 200));
      // Only the first build is built: the second is cancelled before the worker starts.
      const client = new JsonClient();
      const cancelled = await client.send(`${api.url}/system/api/v1/build/${secondId}`, 'DELETE', { authorization: deployment.user.authorization });
      client.close();
      if (cancelled.status !== 200) throw new Error(`cancelling ${secondId} answered ${cancelled.status}: ${JSON.stringify(cancelled.body)}`);
      const jobs = await deployment.jobCount();

      const worker = await startWorkerProcess(deployment.env, deployment.queue);
      const built = await waitForSuccess(api.url, deployment.user.authorization, buildId, 180_000).finally(() => worker.stop());

      const recordsBeforeWarmUp = await deployment.recordCount();
      const warmUp = await burst(body, WARM_UP_REQUESTS, MODERATE_IN_FLIGHT);
      if (warmUp.answers.some((a) => a.status !== 200 || a.body.state !== 'succeeded')) throw new Error('a warm-up request for the existing image was not answered at once');
      for (const [index, { label, count, inFlight, p99Ms }] of EXISTING_BURSTS.entries()) {
        // The first burst counts the warm-up's records too: 3,500 identical requests within the minute store one.
        const recordsBefore = index === 0 ? recordsBeforeWarmUp : await deployment.recordCount();
        const redis: CpuClock = { cpuSeconds: () => deployment.redisCpuSeconds() };
        const { result, cpu } = await cpuUsedBy(() => burst(body, count, inFlight), api.server, redis);
        const [apiMicros, redisMicros] = cpu.map((seconds) => (seconds * 1e6) / count);
        const answers = result.answers;
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
        const latency = latencyOf(result);
        const what = `${count.toLocaleString('en')} for an existing image, ${label}`;
        rows.push(figure(NAME, `${what}: builds`, '0 (checked)'));
        const counted = index === 0 ? ` (and the ${WARM_UP_REQUESTS.toLocaleString('en')} before)` : '';
        rows.push(held(NAME, `${what}: records stored${counted}`, String(stored), '<= 1', stored <= 1));
        rows.push(figure(NAME, `${what}: p50`, `${ms(latency.p50)}; ${generator(result)}`));
        rows.push(figure(NAME, `${what}: CPU per answer`, `API ${apiMicros.toFixed(0)} µs, Redis ${redisMicros.toFixed(0)} µs`));
        rows.push(held(NAME, `${what}: p99`, ms(latency.p99), `<= ${p99Ms} ms`, latency.p99 <= p99Ms));
      }

      // The yardstick of the same bursts: plain Node http answering a fixed JSON, no Redis, no framework,
      // Warmed up as the API was, by as many requests first.
      const bare = await startBareProcess();
      try {
        const bareBurst = (count: number, inFlight: number) => runBurst({ url: `${bare.url}/`, headers: {}, body: JSON.stringify(body), count, inFlight });
        await bareBurst(WARM_UP_REQUESTS, MODERATE_IN_FLIGHT);
        for (const { label, count, inFlight, p99Ms } of EXISTING_BURSTS) {
          const result = await bareBurst(count, inFlight);
          if (refused(result.answers).length > 0) throw new Error(`the bare server refused ${refused(result.answers).length} requests`);
          const latency = latencyOf(result);
          const what = `${count.toLocaleString('en')} to bare node http, ${label}`;
          rows.push(figure(NAME, `${what}: latency`, `p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}; ${generator(result)}`));
          // Where the yardstick itself misses the existing image's target, the generator and this machine are the floor, not the API.
          rows.push(
            figure(
              NAME,
              `${what}: p99 against the existing image's target (${p99Ms} ms)`,
              latency.p99 > p99Ms ? 'above it: beyond this machine and generator even with no API at all' : 'within it',
            ),
          );
        }
      } finally {
        await bare.server.stop();
      }
      return rows;
    } finally {
      await api.server.stop();
      await deployment.close();
    }
  },
};
