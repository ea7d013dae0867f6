import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { DeployerApiClient } from '../deployer-api.client.js';
import { wskAuth } from '../wskprops.js';

interface SendOptions {
  source: string;
  target: string;
  kind: string;
  file?: string;
  requirements?: string;
  force?: boolean;
  api: string;
  auth?: string;
  quiet?: boolean;
}

/** `builder:send`: starts a build, follows its log, exits 0 only on success. */
export function sendCommand(): Command {
  return new Command('send')
    .description('send a build to the deployer, follow its log and wait for the image')
    .requiredOption('--source <image>', 'runtime image to extend')
    .requiredOption('--target <user:tag>', 'image to produce in your repository')
    .requiredOption('--kind <kind>', 'runtime kind (go, java, nodejs, php, python, ruby, dotnet)')
    .option('--file <path>', 'dependency file to send')
    .option('--requirements <base64>', 'dependency file, already base64-encoded (as builder:send REQUIREMENTS)')
    .option('--force', 'rebuild even if the image exists')
    .addOption(new Option('--api <url>', 'deployer API address').env('ADMIN_API_URL').default('http://127.0.0.1:5000'))
    .addOption(new Option('--auth <uuid:key>', 'OpenWhisk key (default: AUTH of ~/.wskprops)').env('AUTH'))
    .option('--quiet', 'do not print the build log')
    .action(async (options: SendOptions) => {
      const auth = options.auth ?? (await wskAuth());
      if (!auth) throw new Error('No credentials: pass --auth, set AUTH, or log in so that ~/.wskprops has AUTH');
      const file = options.file ? (await readFile(options.file)).toString('base64') : options.requirements;
      const client = new DeployerApiClient(options.api.replace(/\/+$/, ''), auth);
      const started = await client.startBuild({
        source: options.source,
        target: options.target,
        kind: options.kind,
        ...(file ? { file } : {}),
        ...(options.force ? { force: true } : {}),
      });
      process.stderr.write(`build ${started.id} (${started.job_name}): ${started.state}\n`);
      if (started.state !== 'succeeded') {
        await client.followLogs(started.id, (chunk) => {
          if (!options.quiet) process.stderr.write(chunk);
        });
      }
      const status = await client.build(started.id);
      if (status.state !== 'succeeded') {
        process.stderr.write(`build ${status.id} ${status.state}: ${status.reason ?? ''} ${status.message ?? ''}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`image: ${status.image}\ndigest: ${status.digest ?? ''}\n`);
    });
}
