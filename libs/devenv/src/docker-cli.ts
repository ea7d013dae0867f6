import { runCommand, type CommandResult } from './command-runner.js';
import type { DockerEngine } from './docker-engine.server.js';

/** Environment for the docker CLI: this engine, BuildKit on. */
export function dockerEnv(docker: Pick<DockerEngine, 'dockerHost'>): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: docker.dockerHost, DOCKER_BUILDKIT: '1' };
}

/** Runs the docker CLI against the engine; `input` feeds its standard input. */
export function runDocker(
  docker: Pick<DockerEngine, 'dockerHost' | 'dockerCli'>,
  args: readonly string[],
  input?: Buffer,
): Promise<CommandResult> {
  return runCommand(docker.dockerCli, args, { env: dockerEnv(docker), input });
}
