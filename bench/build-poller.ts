import { setTimeout as sleep } from 'node:timers/promises';
import { JsonClient } from './json-client.js';

/** Polls a build's status until it ends; throws unless it succeeded. */
export async function waitForSuccess(apiUrl: string, authorization: string, id: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const client = new JsonClient();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const { body } = await client.send(`${apiUrl}/system/api/v1/build/${id}`, 'GET', { authorization });
      if (body.state === 'succeeded') return body;
      if (body.state === 'failed') throw new Error(`build ${id} failed: ${String(body.reason)} ${String(body.message)}`);
      if (Date.now() > deadline) throw new Error(`build ${id} still ${String(body.state)} after ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    client.close();
  }
}
