/**
 * Accept path of POST /system/api/v1/build/start, beside a bare Node http
 * server answering a fixed JSON and the floor under build/start
 * (accept-floor.server.ts: Fastify doing build/start's one Redis round trip
 * and nothing else). Each is a process of its own, and so is the load
 * generator: wrk (one thread) at 16, 64 and 256 connections, each run
 * BENCH_SECONDS long with no request cap, the three servers over windows of
 * the same length; then an open-loop generator offering 2,000 requests a
 * second to each of the three, whose latencies count from the time each
 * request was due. No build runs, but a worker's intake mover does (its own
 * process, for the API's builds and for the floor's), so every accepted
 * build reaches the queue meanwhile, at the CPU a worker pays, as in a
 * deployment. Every request is a distinct build, so each one is validated,
 * checked against the registry, recorded and queued. Fails when the queue
 * does not hold one job per accepted request.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchDeployment } from './bench-deployment.js';
import { BenchRow, cores, figure, held, mebibytes, ms, perSecond } from './bench-table.js';
import type { Benchmark } from './benchmark.js';
import { startApiProcess, startBareProcess, startFloorProcess, startMoverProcess } from './deployer-process.js';
import { type CpuClock, measured } from './cpu-clocks.js';
import { machineCpuNow } from './proc-stat.js';
import { runFixedRate } from './load-generators.run.js';
import { WrkResult, runWrk } from './wrk.load.js';

const NAME = 'accept path';
const LEVELS = [16, 64, 256];
const TARGET_LEVEL = 64;
const TARGET_RATE = 7_500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const OFFERED_RATE = 2_000;
/**
 * Each fixed-rate run first sends this long at the same rate, reported
 * apart: the servers sat idle through the runs before theirs, and V8's
 * memory reducer shrinks an idle heap, which the first seconds of load grow
 * back (the API at a full core, answers queueing for a few hundred ms).
 */
const FIXED_RATE_WARMUP_SECONDS = 2;
const FIXED_RATE_CONNECTIONS = 64;
/** The API's RSS this long after it answers, still shaped by its start (the young generation it grew). */
const JUST_STARTED_MS = 2_000;
/**
 * Idle: this long after it answers with nobody asking. V8's memory reducer
 * shrinks an idle heap (the young generation grown while starting) some 8 to
 * 20 s after the start.
 */
const IDLE_MS = 30_000;

const CPUS = os.availableParallelism();
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const summary = (r: WrkResult, serverCores: number) =>
  `${perSecond(r.perSecond)}, p50 ${ms(r.latency.p50)}, p99 ${ms(r.latency.p99)}, max ${ms(r.latency.max)}; ` +
  `server ${cores(serverCores)}, wrk ${cores(r.generatorCores)}`;

/** The whole machine's busy CPU: every process (the servers, the mover, Redis, wrk) and the kernel's network work. */
const machine: CpuClock = { cpuSeconds: () => machineCpuNow().busy };

export const acceptPathBenchmark: Benchmark = {
  name: NAME,
  async run(env) {
    const deployment = new BenchDeployment(env);
    // The floor's builds go under a prefix of their own, out of the API's queue counts.
    const floorDeployment = new BenchDeployment(env);
    const api = await startApiProcess(deployment.env);
    const bare = await startBareProcess();
    const floor = await startFloorProcess(floorDeployment.env);
    const mover = await startMoverProcess(deployment.env, () => deployment.moverJoined());
    const floorMover = await startMoverProcess(floorDeployment.env, () => floorDeployment.moverJoined());
    // As build/start was before the intake: the claim, then BullMQ's add, in the request.
    const twoTripsDeployment = new BenchDeployment(env, { FLOOR_BULLMQ_ADD: 'true' });
    const twoTrips = await startFloorProcess(twoTripsDeployment.env);
    const rows: BenchRow[] = [];
    try {
      await sleep(JUST_STARTED_MS);
      const startedRss = api.server.rssKiB();
      await sleep(IDLE_MS - JUST_STARTED_MS);
      const idleRss = api.server.rssKiB();
      const file = Buffer.from('requests==2.32.3\n').toString('base64');
      const body = {
        bodyHead: `{"source":"openserverless/runtime-base:local","target":"${deployment.user.login}:`,
        bodyTail: `","kind":"python","file":"${file}"}`,
      };
      const headers = { 'content-type': 'application/json', authorization: deployment.user.authorization };
      let accepted = 0;
      let inFlightBound = 0;
      const checkQueue = async (after: string) => {
        await deployment.handedOver();
        const jobs = await deployment.jobCount(['waiting', 'active', 'delayed', 'prioritized']);
        if (jobs < accepted || jobs > accepted + inFlightBound) {
          throw new Error(`${after}: ${accepted} builds accepted so far, but ${jobs} jobs queued`);
        }
      };

      // One Redis serves the API's builds and the floor's, as one serves a deployment.
      const redis: CpuClock = { cpuSeconds: () => deployment.redisCpuSeconds() };
      let capacity = 0;
      // At the target level, µs per answer: what the floor's run cost beside its server (mover, Redis, the rest), its server
      // (the two its machine cost), build/start's server; and the busiest the machine was under any of these loads.
      let besideServerAtTarget = 0;
      let floorServerAtTarget = 0;
      let apiServerAtTarget = 0;
      let busiest = 0;
      for (const connections of LEVELS) {
        const common = { connections, durationSeconds: SECONDS, headers, ...body, tagPrefix: `c${connections}-` };
        const [bareResult, [bareCores]] = await measured(() => runWrk({ ...common, url: `${bare.url}/` }), bare.server);
        const [floorResult, [floorCores, floorMoverCores, floorRedis, floorMachine]] = await measured(
          () => runWrk({ ...common, url: `${floor.url}/` }),
          floor.server,
          floorMover,
          redis,
          machine,
        );
        const [startResult, [apiCores, moverCores, startRedis, startMachine]] = await measured(
          () => runWrk({ ...common, url: `${api.url}/system/api/v1/build/start` }),
          api.server,
          mover,
          redis,
          machine,
        );

        // Requests still in flight when the load stops get no answer but may
        // have been enqueued: at most one per connection.
        accepted += startResult.requests - startResult.non2xx;
        inFlightBound += connections;
        await checkQueue(`${connections} connections`);

        const ratio = startResult.perSecond / bareResult.perSecond;
        const errors = startResult.non2xx + startResult.errors;
        const at = `${connections} conn`;
        rows.push(figure(NAME, `${at}: bare node http (wrk, ${SECONDS} s)`, summary(bareResult, bareCores)));
        rows.push(figure(NAME, `${at}: floor, Fastify + claim (wrk, ${SECONDS} s)`, summary(floorResult, floorCores)));
        rows.push(figure(NAME, `${at}: build/start (wrk, ${SECONDS} s)`, summary(startResult, apiCores)));
        rows.push(figure(NAME, `${at}: floor / bare, build/start / floor`, `${pct(floorResult.perSecond / bareResult.perSecond)}, ${pct(startResult.perSecond / floorResult.perSecond)}`));
        const micros = (result: { perSecond: number }, share: number) => (share * 1e6) / result.perSecond;
        const cpuPerRequest = (result: { perSecond: number }, share: number) => `${micros(result, share).toFixed(0)} µs`;
        rows.push(
          figure(
            NAME,
            `${at}: server CPU per answer, bare / floor / build/start`,
            `${cpuPerRequest(bareResult, bareCores)} / ${cpuPerRequest(floorResult, floorCores)} / ${cpuPerRequest(startResult, apiCores)}`,
          ),
        );
        // Each accepted build costs the mover's and Redis's work too, on the same cores; the rest is wrk and the kernel's network work.
        const machineCost = (result: WrkResult, server: number, moverShare: number, redisShare: number, all: number) => {
          const [own, moved, stored, total] = [server, moverShare, redisShare, all].map((share) => micros(result, share));
          return `${own.toFixed(0)} + ${moved.toFixed(0)} + ${stored.toFixed(0)} + ${(total - own - moved - stored).toFixed(0)} = ${total.toFixed(0)} µs`;
        };
        rows.push(
          figure(
            NAME,
            `${at}: machine CPU per answer, floor / build/start: server + mover + Redis + the rest (wrk, kernel)`,
            `${machineCost(floorResult, floorCores, floorMoverCores, floorRedis, floorMachine)} / ` +
              `${machineCost(startResult, apiCores, moverCores, startRedis, startMachine)}; busy ${floorMachine.toFixed(2)} / ${startMachine.toFixed(2)} of ${CPUS} cores`,
          ),
        );
        if (connections === TARGET_LEVEL) {
          // What the intake saves the API: the floor as build/start was before it, the claim and then BullMQ's add.
          const [twoResult, [twoCores]] = await measured(() => runWrk({ ...common, url: `${twoTrips.url}/` }), twoTrips.server);
          rows.push(
            figure(
              NAME,
              `${at}: floor with BullMQ's add in the request (claim, then add: before the intake)`,
              `${summary(twoResult, twoCores)}; ${cpuPerRequest(twoResult, twoCores)} CPU per answer`,
            ),
          );
          capacity = startResult.perSecond;
          rows.push(
            held(NAME, `${at}: build/start req/s`, perSecond(startResult.perSecond), `>= ${TARGET_RATE.toLocaleString('en')}/s`, startResult.perSecond >= TARGET_RATE),
          );
          besideServerAtTarget = micros(floorResult, floorMachine - floorCores);
          floorServerAtTarget = micros(floorResult, floorCores);
          apiServerAtTarget = micros(startResult, apiCores);
          rows.push(held(NAME, `${at}: build/start / bare req/s`, pct(ratio), '>= 10%', ratio >= 0.1));
        } else {
          rows.push(figure(NAME, `${at}: build/start / bare req/s`, pct(ratio)));
        }
        rows.push(held(NAME, `${at}: build/start errors`, `${errors} of ${startResult.requests}`, '0', errors === 0));
        busiest = Math.max(busiest, floorMachine, startMachine);
      }
      // What the target asks of this machine at the floor's cost per answer (each build costs the mover's and Redis's work too),
      // against the most these loads ever got of it: asking more is beyond it even with none of the API's own layers.
      const floorNeeds = (TARGET_RATE * (besideServerAtTarget + floorServerAtTarget)) / 1e6;
      rows.push(
        figure(
          NAME,
          `${TARGET_LEVEL} conn: cores ${TARGET_RATE.toLocaleString('en')}/s takes at the floor's machine cost per answer, and the busiest these loads made the machine`,
          `${floorNeeds.toFixed(2)} and ${busiest.toFixed(2)} of ${CPUS}: ` +
            (floorNeeds > busiest ? "beyond this machine even with none of the API's own layers" : "within this machine: the API's own layers are the gap"),
        ),
      );
      // The server's share of the target: the busiest machine's CPU per answer at the target rate, less what the rest took per
      // answer in the floor's run (near that rate, where the mover's batches are as large as they would be).
      const serverBudget = (busiest * 1e6) / TARGET_RATE - besideServerAtTarget;
      rows.push(
        figure(
          NAME,
          `${TARGET_LEVEL} conn: server CPU per answer ${TARGET_RATE.toLocaleString('en')}/s leaves (the busiest machine less the floor run's mover, Redis, rest); the floor's server / build/start's`,
          `${serverBudget.toFixed(0)} µs (${((busiest * 1e6) / TARGET_RATE).toFixed(0)} - ${besideServerAtTarget.toFixed(0)}); ` +
            `${floorServerAtTarget.toFixed(0)} µs / ${apiServerAtTarget.toFixed(0)} µs: the API's own layers (auth, validation, hashing, the registry check, Nest) ` +
            `may take ${Math.max(0, serverBudget - floorServerAtTarget).toFixed(0)} µs and take ${(apiServerAtTarget - floorServerAtTarget).toFixed(0)}`,
        ),
      );

      // The same offered load to the bare server and the floor first: the latency this machine allows at that rate.
      const offered = (url: string) =>
        runFixedRate({
          url,
          ratePerSecond: OFFERED_RATE,
          durationSeconds: SECONDS,
          warmupSeconds: FIXED_RATE_WARMUP_SECONDS,
          connections: FIXED_RATE_CONNECTIONS,
          headers,
          ...body,
          tagPrefix: 'r-',
        });
      const bareFixed = await offered(`${bare.url}/`);
      const floorFixed = await offered(`${floor.url}/`);
      // The mover and Redis too: at this rate their batches are small, so their cost per build is higher than under saturation.
      const [fixed, [apiCores, moverCores, redisCores]] = await measured(() => offered(`${api.url}/system/api/v1/build/start`), api.server, mover, redis);
      accepted += fixed.ok;
      inFlightBound += FIXED_RATE_CONNECTIONS;
      await checkQueue('fixed rate');
      const at = `offered ${OFFERED_RATE.toLocaleString('en')}/s`;
      rows.push(
        figure(
          NAME,
          `${at}, ${FIXED_RATE_CONNECTIONS} conn at most: build/start`,
          `sent ${perSecond(fixed.achievedPerSecond)}, p50 ${ms(fixed.latency.p50)}, max ${ms(fixed.latency.max)}; ` +
            `server ${cores(apiCores)}, mover ${cores(moverCores)}, Redis ${cores(redisCores)}, generator ${cores(fixed.generatorCores)}`,
        ),
      );
      rows.push(
        figure(
          NAME,
          `${at}: p50 / p99 (from when due), bare / floor`,
          `${ms(bareFixed.latency.p50)} / ${ms(bareFixed.latency.p99)}, ${ms(floorFixed.latency.p50)} / ${ms(floorFixed.latency.p99)}`,
        ),
      );
      rows.push(
        figure(
          NAME,
          `${at}: the first ${FIXED_RATE_WARMUP_SECONDS} s after idle (the heap grown back), p99 / max, bare / floor / build/start`,
          [bareFixed, floorFixed, fixed].map((run) => `${ms(run.warmup.p99)} / ${ms(run.warmup.max)}`).join(', '),
        ),
      );
      rows.push(
        held(NAME, `${at}: build/start p99 (from when due, the ${SECONDS} s after those)`, ms(fixed.latency.p99), '<= 25 ms', fixed.latency.p99 <= 25),
      );
      // Offered above what the API answers at all, the backlog grows for the whole run and so does the latency.
      rows.push(figure(NAME, `${at}: offered / build/start's rate at ${TARGET_LEVEL} conn (${perSecond(capacity)})`, pct(OFFERED_RATE / capacity)));
      rows.push(held(NAME, `${at}: build/start errors`, `${fixed.failed} of ${fixed.sent}`, '0', fixed.failed === 0));
      rows.push(figure(NAME, 'builds accepted (one queued job each)', String(accepted)));

      const peakRss = api.server.peakRssKiB();
      rows.push(figure('memory', `api RSS ${JUST_STARTED_MS / 1000} s after it answers (local driver)`, mebibytes(startedRss)));
      rows.push(held('memory', `api RSS idle (local driver, ${IDLE_MS / 1000} s after it answers)`, mebibytes(idleRss), '<= 110 MiB', idleRss <= 110 * 1024));
      rows.push(held('memory', 'api peak RSS during accept path', mebibytes(peakRss), '<= 220 MiB', peakRss <= 220 * 1024));
      return rows;
    } finally {
      await twoTrips.server.stop();
      await floorMover.stop();
      await mover.stop();
      await floor.server.stop();
      await bare.server.stop();
      await api.server.stop();
      await twoTripsDeployment.close();
      await floorDeployment.close();
      await deployment.close();
    }
  },
};
