import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { ApiOptions, apiClient, withApiOptions } from '../api-options.js';
import { watchBuild } from '../build.watcher.js';

interface SendOptions extends ApiOptions {
  source: string;
  target: string;
  kind: string;
  file?: string;
  requirements?: string;
  force?: boolean;
  quiet?: boolean;
}

/** `builder:send`: starts a build, follows its log, exits 0 only on success. */
export function sendCommand(): Command {
  return withApiOptions(
    new Command('send')
      .description('send a build to the deployer, follow its log and wait for the image')
      .addOption(new Option('--source <image>', 'runtime image to extend').env('SOURCE').makeOptionMandatory())
      .addOption(new Option('--target <user:tag>', 'image to produce in your repository').env('TARGET').makeOptionMandatory())
      .addOption(new Option('--kind <kind>', 'runtime kind (go, java, nodejs, php, python, ruby, dotnet)').env('KIND').makeOptionMandatory())
      .option('--file <path>', 'dependency file to send')
      .addOption(new Option('--requirements <base64>', 'dependency file, already base64-encoded').env('REQUIREMENTS'))
      .option('--force', 'rebuild even if the image exists')
      .option('--quiet', 'do not print the build log'),
  ).action(async (options: SendOptions) => {
    const client = await apiClient(options);
    const file = options.file ? (await readFile(options.file)).toString('base64') : options.requirements;
    const started = await client.startBuild({
      source: options.source,
      target: options.target,
      kind: options.kind,
      ...(file ? { file } : {}),
      ...(options.force ? { force: true } : {}),
    });
    process.stderr.write(`build ${started.id} (${started.job_name}): ${started.state}\n`);
    const status =
      started.state === 'succeeded'
        ? await client.build(started.id)
        : await watchBuild(client, started.id, (line) => {
            if (!options.quiet) process.stderr.write(`${line}\n`);
          });
    if (status.state !== 'succeeded') {
      process.stderr.write(`build ${status.id} ${status.state}: ${status.reason ?? ''} ${status.message ?? ''}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`image: ${status.image}\ndigest: ${status.digest ?? ''}\n`);
  });
}
