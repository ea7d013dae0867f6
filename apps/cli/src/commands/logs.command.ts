import { Command, Option } from 'commander';
import { ApiOptions, apiClient, withApiOptions } from '../api-options.js';

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
    await client.followLogs(id, (chunk) => process.stdout.write(chunk));
    const status = await client.build(id);
    process.stderr.write(`build ${id}: ${status.state}${status.reason ? ` (${status.reason})` : ''}\n`);
  });
}
