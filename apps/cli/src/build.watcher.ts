import { reconnectFrom } from '#libs/builds';
import { ApiError } from './api-error.js';
import type { BuildStatus, DeployerApiClient } from './deployer-api.client.js';

/** How long the service may stay unreachable before the watch gives up. */
const GIVE_UP_MS = 120_000;
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 5_000;

const isFinished = (state: string) => state === 'succeeded' || state === 'failed';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Network errors (no answer at all) and 429/5xx are worth another try; a 4xx is not. */
const isTransient = (error: unknown) => !(error instanceof ApiError) || error.transient;

/**
 * Follows a build's log until the build ends and returns its final status.
 * A stream that ends or breaks while the build is not finished (a restarted
 * API, a dropped connection) is followed again from the lines already
 * handed on, so none is repeated; only a service unreachable for GIVE_UP_MS
 * on end makes it throw.
 */
export async function watchBuild(
  client: DeployerApiClient,
  id: string,
  onLine: (line: string) => void,
): Promise<BuildStatus> {
  let received = 0;
  let failingSince = 0;
  let failures = 0;
  for (;;) {
    let complete = false;
    let fault: unknown = null;
    try {
      ({ complete } = await client.followLogs(id, received, (line) => {
        // A replica that shuts down says where to pick up; that line is not the build's.
        const resume = reconnectFrom(line);
        if (resume !== null) {
          received = resume;
          return;
        }
        received += 1;
        onLine(line);
      }));
      const status = await client.build(id);
      // Finished but cut short: the next follow hands on the rest and ends at once.
      if (isFinished(status.state) && complete) return status;
    } catch (error) {
      if (!isTransient(error)) throw error;
      fault = error;
    }
    if (complete) {
      failingSince = 0;
      failures = 0;
    } else {
      failingSince ||= Date.now();
      if (Date.now() - failingSince > GIVE_UP_MS) {
        throw fault ?? new Error(`the log stream of build ${id} kept breaking for ${GIVE_UP_MS / 1000} s`);
      }
    }
    await sleep(Math.min(RETRY_BASE_MS * 2 ** failures++, RETRY_MAX_MS));
  }
}
