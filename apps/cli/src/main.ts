import { Command } from 'commander';
import { devenvCommand } from './commands/devenv.command.js';
import { sendCommand } from './commands/send.command.js';

const program = new Command('deployer')
  .description('command line of the deployer (behind the Taskfile builder:* tasks)')
  .addCommand(sendCommand())
  .addCommand(devenvCommand());

program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
