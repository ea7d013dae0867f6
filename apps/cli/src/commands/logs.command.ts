import { Command, Option } from 'commander';
import { ApiOptions, apiClient, withApiOptions } from '../api-options.js';
import { watchBuild } from '../build.watcher.js';

/** `builder:logs`: the log of a build (default: your last one), followed while it runs. */
export function logsCommand(): Command {
  return withApiOptions(
    new Command('logs')
      .description('print the log of your last build (or --build ID), following it while it runs')
      .addOption(new Option('--build <id>', 'build id (default: your most recent build)').env('BUILD')),
  ).action(async (options: ApiOptions & { build?: string }) => {
    const client = await apiClient(options);
    const id = options.build || (await client.builds())[0]?.id;
    if (!id) throw new Error('You have no builds');
    const status = await watchBuild(client, id, (line) => process.stdout.write(`${line}\n`));
    process.stderr.write(`build ${id}: ${status.state}${status.reason ? ` (${status.reason})` : ''}\n`);
  });
}
