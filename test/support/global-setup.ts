import '../../libs/devenv/typescript-require.cjs';
import { acquireLease, startDevEnvironment } from '#libs/devenv';

/**
 * Starts (or reuses) every real server the suites need and exports their
 * addresses through process.env, which the test workers inherit. Throws, and
 * so stops the run, when any server cannot start.
 */
export default async function globalSetup(): Promise<void> {
  const environment = await startDevEnvironment();
  Object.assign(process.env, environment.variables);
  acquireLease(environment.started);
}
