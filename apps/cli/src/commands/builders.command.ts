import { Command, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { catalogFromRuntimes } from '#libs/builders';

/**
 * `builders`: writes the builder catalog of `build/ensure` from an
 * OpenServerless runtimes.json (its runtimes marked openserverless.extendible).
 */
export function buildersCommand(): Command {
  return new Command('builders')
    .description('write builders.json (the catalog of build/ensure) from an OpenServerless runtimes.json')
    .addOption(new Option('--runtimes <file>', 'the runtimes.json to read').env('RUNTIMES_JSON').makeOptionMandatory())
    .addOption(new Option('--out <file>', 'where to write builders.json (default: standard output)').env('BUILDERS_JSON'))
    .action(async (options: { runtimes: string; out?: string }) => {
      let runtimes: unknown;
      try {
        runtimes = JSON.parse(await readFile(options.runtimes, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read ${options.runtimes}: ${(error as Error).message}`);
      }
      const { document, skipped } = catalogFromRuntimes(runtimes);
      for (const reason of skipped) process.stderr.write(`skipped ${reason}\n`);
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (options.out) {
        await writeFile(options.out, text);
        process.stderr.write(`wrote ${Object.keys(document).length} builders to ${options.out}\n`);
      } else {
        process.stdout.write(text);
      }
    });
}
