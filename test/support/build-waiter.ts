import { call } from './http-client.js';

/** Polls a build's status as the `ops` client would, until it ends. */
export async function waitForBuild(
  base: string,
  auth: string,
  id: string,
  timeoutMs = 180_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call(base, 'GET', `/system/api/v1/build/${id}`, { auth });
    const state = answer.body.state;
    if (state === 'succeeded' || state === 'failed') return answer.body;
    if (Date.now() > deadline) throw new Error(`build ${id} still ${String(state)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
