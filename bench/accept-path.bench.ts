/**
 * Accept path of POST /system/api/v1/build/start at 16, 64 and 256
 * connections, beside a bare Node http server answering a fixed JSON, in the
 * same run. Both are processes of their own; no worker runs. Every request is
 * a distinct build, so each one is validated, checked against the registry,
 * recorded and enqueued. Fails when the queue does not hold one job per
 * accepted request.
 */
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, figure, held, mebibytes, ms, perSecond } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { startApiProcess, startBareProcess } from './deployer-process.js';
import { LoadResult, runLoad } from './load.js';

const NAME = 'accept path';
const LEVELS = [16, 64, 256];
const TARGET_LEVEL = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const MAX_REQUESTS = 100_000;

const errorsOf = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
const summary = (r: LoadResult) =>
  `${perSecond(r.requests.average)}, p50 ${ms(r.latency.p50)}, p99 ${ms(r.latency.p99)}, max ${ms(r.latency.max)}`;

export const acceptPathBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const deployment = new BenchDeployment(env);
    const api = await startApiProcess(deployment.env);
    const bare = await startBareProcess();
    const rows: BenchRow[] = [];
    try {
      const file = Buffer.from('requests==2.32.3\n').toString('base64');
      let n = 0;
      let accepted = 0;
      let inFlightBound = 0;
      for (const connections of LEVELS) {
        const common = { connections, durationSeconds: SECONDS, maxRequests: MAX_REQUESTS, method: 'POST' as const };
        const bareResult = await runLoad({ ...common, url: `${bare.url}/`, headers: { 'content-type': 'application/json' }, body: () => '{}' });
        const startResult = await runLoad({
          ...common,
          url: `${api.url}/system/api/v1/build/start`,
          headers: { 'content-type': 'application/json', authorization: deployment.user.authorization },
          body: () =>
            JSON.stringify({ source: 'openserverless/runtime-base:local', target: `${deployment.user.login}:t${n++}`, kind: 'python', file }),
        });

        // Requests still in flight when the load stops get no answer but may
        // have been enqueued: at most one per connection.
        accepted += startResult['2xx'];
        inFlightBound += connections;
        const jobs = await deployment.jobCount(['waiting', 'active', 'delayed', 'prioritized']);
        if (jobs < accepted || jobs > accepted + inFlightBound) {
          throw new Error(`${connections} connections: ${accepted} builds accepted so far, but ${jobs} jobs queued`);
        }

        const ratio = startResult.requests.average / bareResult.requests.average;
        const errors = errorsOf(startResult);
        const at = `${connections} conn`;
        rows.push(figure(NAME, `${at}: bare node http`, summary(bareResult)));
        if (connections === TARGET_LEVEL) {
          rows.push(figure(NAME, `${at}: build/start`, summary(startResult)));
          rows.push(held(NAME, `${at}: build/start / bare req/s`, `${(ratio * 100).toFixed(1)}%`, '>= 30%', ratio >= 0.3));
          rows.push(held(NAME, `${at}: build/start p99`, ms(startResult.latency.p99), '< 50 ms', startResult.latency.p99 < 50));
        } else {
          rows.push(figure(NAME, `${at}: build/start`, `${summary(startResult)} (${(ratio * 100).toFixed(1)}% of bare)`));
        }
        rows.push(held(NAME, `${at}: build/start errors`, `${errors} of ${startResult.requests.total}`, '0', errors === 0));
      }
      rows.push(figure(NAME, 'builds accepted (one queued job each)', String(accepted)));
      rows.push(figure('memory', 'api peak RSS during accept path', mebibytes(api.server.peakRssKiB())));
      return rows;
    } finally {
      await bare.server.stop();
      await api.server.stop();
      await deployment.close();
    }
  },
};
