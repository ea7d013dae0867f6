import { Command, Option } from 'commander';
import { DeployerApiClient } from './deployer-api.client.js';
import { wskAuth } from './wskprops.js';

export interface ApiOptions {
  api: string;
  auth?: string;
}

/** --api and --auth, as every command that talks to the deployer takes them. */
export function withApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--api <url>', 'deployer API address').env('ADMIN_API_URL').default('http://127.0.0.1:5000'))
    .addOption(new Option('--auth <uuid:key>', 'OpenWhisk key (default: AUTH of ~/.wskprops)').env('AUTH'));
}

export async function apiClient(options: ApiOptions): Promise<DeployerApiClient> {
  const auth = options.auth ?? (await wskAuth());
  if (!auth) throw new Error('No credentials: pass --auth, set AUTH, or log in so that ~/.wskprops has AUTH');
  return new DeployerApiClient(options.api.replace(/\/+$/, ''), auth);
}
