import { isIP } from 'node:net';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DeployerEnvironment } from './deployer-config.js';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigurationError';
  }
}

const describe = (error: ValidationError): string => {
  const value = error.property.match(/PASS|SECRET|KEY|TOKEN/) ? '(hidden)' : JSON.stringify(error.value);
  const rules = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}=${value}: ${rules}`;
};

/**
 * Reads the deployer's settings from an environment. Unset and empty
 * variables take their defaults; any bad value stops start-up with a message
 * that names the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DeployerEnvironment {
  // Every variable is a property of the DTO, optional ones initialised to undefined, so this list cannot drift.
  const known = Object.keys(new DeployerEnvironment());
  const given: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') given[name] = value;
  }
  const config = plainToInstance(DeployerEnvironment, given);
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigurationError(errors.map(describe));
  return Object.freeze(config);
}

/**
 * Loopback registries are plain HTTP whatever REGISTRY_INSECURE says. Only
 * addresses count: `127.evil.example` is a name like any other.
 */
export function registryUsesHttp(config: DeployerEnvironment, host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  const loopbackAddress = isIP(name) === 4 && name.startsWith('127.');
  return config.REGISTRY_INSECURE || name === 'localhost' || loopbackAddress || name === '[::1]';
}

/** For process entry points: a bad environment ends the process with its message, not a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): DeployerEnvironment {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
