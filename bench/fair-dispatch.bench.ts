/**
 * The cost of fair shares on dispatch: the same backlog dispatched to
 * Kubernetes Jobs on the test server (5 ms per call, Jobs that finish at
 * once) with BUILD_FAIR_SHARES off (one FIFO list) and on (each build at its
 * rank among its user's builds in flight, so nearly all go through BullMQ's
 * prioritized set), in the same run, one after the other. The running cap is
 * off in both: one user sends the whole backlog, and a cap would measure the
 * cap, not the dispatch. Fails unless every build made its Job.
 */
import { BenchRow, figure, held, perSecond } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { JsonClient, inParallel } from './json-client.js';
import { startKubeDispatchRig } from './kube-dispatch.rig.js';

const NAME = 'fair shares';
const BACKLOG = Number(process.env.BENCH_FAIR_BACKLOG ?? 500);
const CONCURRENCY = Number(process.env.BENCH_BUILD_CONCURRENCY ?? 8);

/** Jobs created per second while a worker drains a backlog queued before it started. */
async function dispatchRate(env: NodeJS.ProcessEnv, fairShares: boolean): Promise<number> {
  const { server, deployment, creations, api, startWorker, stop } = await startKubeDispatchRig(env, 5, {
    BUILD_CONCURRENCY: String(CONCURRENCY),
    BUILD_FAIR_SHARES: String(fairShares),
    MAX_RUNNING_BUILDS_PER_USER: '0',
  });
  const client = new JsonClient();
  try {
    const jobs = await inParallel(BACKLOG, 32, async (i) => {
      const answer = await client.send(`${api.url}/system/api/v1/build/start`, 'POST', { authorization: deployment.user.authorization }, {
        source: 'openserverless/runtime-base:local',
        target: `${deployment.user.login}:f${i}`,
        kind: 'python',
        file: Buffer.from('requests\n').toString('base64'),
      });
      if (answer.status !== 200) throw new Error(`build/start answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return String(answer.body.job_name);
    });
    const queued = await deployment.jobCount(['waiting', 'prioritized']);
    if (queued !== BACKLOG) throw new Error(`${BACKLOG} builds accepted but ${queued} jobs queued`);
    await startWorker();
    await creations.waitFor(jobs, 300_000);
    const times = jobs.map((job) => creations.created.get(job)!).sort((a, b) => a - b);
    if ((await server.jobs()).length !== BACKLOG) throw new Error(`${BACKLOG} builds did not make ${BACKLOG} Jobs`);
    return (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
  } finally {
    client.close();
    await stop();
  }
}

export const fairDispatchBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const off = await dispatchRate(env, false);
    const on = await dispatchRate(env, true);
    const rows: BenchRow[] = [
      figure(NAME, `backlog of ${BACKLOG}, fair shares off: Jobs created per second`, perSecond(off)),
      figure(NAME, `backlog of ${BACKLOG}, fair shares on: Jobs created per second`, perSecond(on)),
      held(NAME, 'dispatch rate with fair shares on / off', `${(on / off).toFixed(2)}`, '≥ 0.90', on / off >= 0.9),
    ];
    return rows;
  },
};
