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
  return new DeployerApiClient(apiBase(options.api), auth);
}

/**
 * The address requests are made under. The admin API's Taskfile sets
 * ADMIN_API_URL to `…/system` and appends `/api/v1/…`; our paths carry
 * `/system` themselves, so that suffix is dropped rather than doubled.
 */
export function apiBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/system$/, '');
}
