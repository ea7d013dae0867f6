import { Command } from 'commander';
import { buildersCommand } from './commands/builders.command.js';
import { cleanCommand } from './commands/clean.command.js';
import { clusterCommands } from './commands/cluster.command.js';
import { devenvCommand } from './commands/devenv.command.js';
import { imageCommands } from './commands/images.command.js';
import { logsCommand } from './commands/logs.command.js';
import { sendCommand } from './commands/send.command.js';

const program = new Command('deployer').description('command line of the deployer (behind the Taskfile builder:* tasks)');
for (const command of [sendCommand(), logsCommand(), cleanCommand(), ...imageCommands(), ...clusterCommands(), buildersCommand(), devenvCommand()]) {
  program.addCommand(command);
}

program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
