import { Command, InvalidArgumentError, Option } from 'commander';
import { ApiOptions, apiClient, withApiOptions } from '../api-options.js';

export const hours = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number of hours');
  return Number(value);
};

/** `builder:clean`: deletes your finished builds older than --max-age-hours, through the API. */
export function cleanCommand(): Command {
  return withApiOptions(
    new Command('clean')
      .description('delete your finished builds older than --max-age-hours (through the API)')
      .addOption(new Option('--max-age-hours <hours>', 'age of the builds to delete').env('MAX_AGE_HOURS').argParser(hours).default(24)),
  ).action(async (options: ApiOptions & { maxAgeHours: number }) => {
    const client = await apiClient(options);
    const answer = await client.cleanup(options.maxAgeHours);
    process.stdout.write(`${answer.message}\n`);
  });
}
