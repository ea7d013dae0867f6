import { Command } from 'commander';
import { startDevEnvironment, stopAll } from '#libs/devenv';

/** Starts the servers of the embedded default (Redis, registry, Docker Engine, CouchDB-compatible). */
export function devenvCommand(): Command {
  const devenv = new Command('devenv').description('local servers for development and tests');
  devenv
    .command('up')
    .description('start (or reuse) Redis, a registry, the Docker Engine and a CouchDB-compatible server; make the base images')
    .action(async () => {
      const environment = await startDevEnvironment();
      for (const [key, value] of Object.entries(environment.variables)) {
        if (!/PASS/.test(key)) process.stdout.write(`${key}=${value}\n`);
      }
    });
  devenv
    .command('down')
    .description('stop the local servers that `devenv up` (or a test run) started; servers it found running are left alone')
    .action(async () => {
      const stopped = await stopAll();
      process.stdout.write(stopped.length > 0 ? `stopped: ${stopped.join(', ')}\n` : 'nothing to stop\n');
    });
  return devenv;
}
