import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { DeployerEnvironment } from './deployer-config.js';

/** The processes' logger: JSON lines when LOG_FORMAT=json. */
export function createLogger(config: DeployerEnvironment, levels: LogLevel[] = ['error', 'warn', 'log']): ConsoleLogger {
  return new ConsoleLogger({ json: config.LOG_FORMAT === 'json', logLevels: levels });
}
