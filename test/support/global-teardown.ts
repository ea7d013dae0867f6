import '../../libs/devenv/typescript-require.cjs';
import { releaseLease, stopServices } from '#libs/devenv';

/**
 * Stops the servers that test runs started (never ones that were already
 * running), once no other test run in this tree still uses them. The base
 * image stays in the engine's data root under the state dir, so the next
 * run's Docker Engine starts with it and with its build cache.
 */
export default async function globalTeardown(): Promise<void> {
  await stopServices(releaseLease());
}
