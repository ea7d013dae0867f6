import { call } from './http-client.js';
import { DeployerReplicas } from './deployer-replicas.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const START = '/system/api/v1/build/start';

/**
 * A client behind a load balancer: it sends its build to one API and, when
 * that one is gone or answers 503, sends the same request to the other (an
 * identical request joins the build if the first was stored after all).
 * Returns the build id of the first 200, or undefined after `tries`.
 */
export async function startThroughEither(
  replicas: DeployerReplicas,
  first: number,
  auth: string,
  json: Record<string, unknown>,
  tries = 20,
): Promise<string | undefined> {
  for (let i = 0; i < tries; i++) {
    const answer = await call(replicas.url(first + i), 'POST', START, { auth, json }).catch(() => undefined);
    if (answer?.status === 200) return String(answer.body.id);
    if (answer && answer.status !== 503) throw new Error(`build/start answered ${answer.status}: ${answer.text}`);
    await sleep(100 * Math.min(i + 1, 5));
  }
  return undefined;
}

/** Polls the build through whichever API answers, until it ends or `timeoutMs` passes. */
export async function endThroughEither(
  replicas: DeployerReplicas,
  first: number,
  auth: string,
  id: string,
  timeoutMs: number,
): Promise<{ state: string; via: number }> {
  const deadline = Date.now() + timeoutMs;
  for (let i = first; ; i++) {
    const answer = await call(replicas.url(i), 'GET', `/system/api/v1/build/${id}`, { auth }).catch(() => undefined);
    const state = String(answer?.body.state ?? '');
    if (state === 'succeeded' || state === 'failed') return { state, via: i % replicas.apis.length };
    if (Date.now() > deadline) throw new Error(`build ${id} still ${state || 'unanswered'} after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function forEachLimited(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}
