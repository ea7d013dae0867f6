import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it returns true, `abort` returns a reason to give up, or
 * the deadline passes. Returns undefined on success, else why it stopped.
 */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  abort: () => string | undefined = () => undefined,
  intervalMs = 100,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return undefined;
    const reason = abort();
    if (reason) return reason;
    if (Date.now() >= deadline) return `no answer within ${Math.round(timeoutMs / 1000)}s`;
    await sleep(intervalMs);
  }
}
