import type { FailureReason } from '#libs/errors';
import { Injectable, Logger } from '@nestjs/common';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployerEnvironment } from '#libs/config';
import {
  BaseImageConfig,
  BuildDriver,
  BuildFailure,
  BuildLogSink,
  BuildResult,
  BuildSpec,
  DriverCleanup,
  DriverCleanupReport,
} from '../build-driver.js';
import { cleanLocalImages } from './local-images.cleaner.js';
import { LogBatcher } from '../log-batcher.js';
import { runProcess } from './run-process.js';

const SAFE_ID = /^[a-z0-9]{1,64}$/;
const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DIGEST = /digest: (sha256:[a-f0-9]{64})/;

/**
 * Builds with the BuildKit embedded in a Docker Engine, through the docker
 * CLI, and pushes to the configured registry.
 */
@Injectable()
export class LocalBuildDriver extends BuildDriver {
  readonly name = 'local';
  private readonly logger = new Logger(LocalBuildDriver.name);
  private readonly workdir: string;

  constructor(private readonly config: DeployerEnvironment) {
    super();
    this.workdir = config.BUILD_WORKDIR ?? join(tmpdir(), 'deployer-builds');
  }

  async ready(): Promise<void> {
    const lines: string[] = [];
    const outcome = await this.docker(['version', '--format', '{{.Server.Version}}'], 15_000, AbortSignal.timeout(20_000), (l) =>
      lines.push(l),
    );
    if (outcome.code !== 0) throw new Error(`Docker Engine is not reachable: ${lines.slice(-3).join(' ')}`);
  }

  async cleanup(options: DriverCleanup): Promise<DriverCleanupReport> {
    return cleanLocalImages(
      async (args, onLine) => (await this.docker(args, 300_000, AbortSignal.timeout(310_000), onLine)).code,
      options,
    );
  }

  async run(spec: BuildSpec, log: BuildLogSink, signal: AbortSignal): Promise<BuildResult> {
    if (!SAFE_ID.test(spec.buildId)) throw new Error(`Refusing build id ${JSON.stringify(spec.buildId)}`);
    const context = join(this.workdir, spec.buildId);
    const secrets = join(this.workdir, `${spec.buildId}.secrets`);
    const output = new LogBatcher(log);
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    try {
      await this.writeContext(context, spec);
      const secretArgs = await this.writeSecrets(secrets, spec);
      const build = await this.docker(
        [
          'build',
          '--progress=plain',
          ...(this.config.DOCKER_BUILD_NETWORK ? ['--network', this.config.DOCKER_BUILD_NETWORK] : []),
          ...secretArgs,
          ...(spec.noCache ? ['--no-cache'] : []),
          '--tag',
          spec.image,
          '--file',
          join(context, 'Dockerfile'),
          context,
        ],
        deadline - Date.now(),
        signal,
        (line) => output.push(line),
      );
      await this.check(build, output, 'BuildFailed', 'the image build failed');

      let digest = '';
      const push = await this.docker(['push', spec.image], Math.max(deadline - Date.now(), 1_000), signal, (line) => {
        output.push(line);
        digest = DIGEST.exec(line)?.[1] ?? digest;
      });
      await this.check(push, output, 'PushFailed', `pushing ${spec.image} failed`);
      if (!digest) throw new BuildFailure(`the registry reported no digest for ${spec.image}`, 'PushFailed');
      return { digest };
    } finally {
      await output.close();
      for (const dir of [context, secrets]) {
        await rm(dir, { recursive: true, force: true }).catch((error: Error) =>
          this.logger.warn(`Could not remove ${dir}: ${error.message}`),
        );
      }
    }
  }

  private async writeContext(context: string, spec: BuildSpec): Promise<void> {
    await rm(context, { recursive: true, force: true });
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'Dockerfile'), spec.dockerfile);
    for (const file of [...(spec.dependencyFile ? [spec.dependencyFile] : []), ...spec.installFiles]) {
      if (!SAFE_FILE.test(file.name)) throw new Error(`Refusing file name ${file.name}`);
      await writeFile(join(context, file.name), file.content);
    }
  }

  /** Secrets live beside the context, not in it: `docker build` sends the whole context to the Engine. */
  private async writeSecrets(dir: string, spec: BuildSpec): Promise<string[]> {
    await rm(dir, { recursive: true, force: true });
    if (spec.secrets.length === 0) return [];
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const args: string[] = [];
    for (const secret of spec.secrets) {
      if (!SAFE_FILE.test(secret.id)) throw new Error(`Refusing secret id ${secret.id}`);
      const path = join(dir, secret.id);
      await writeFile(path, secret.content, { mode: 0o600 });
      args.push('--secret', `id=${secret.id},src=${path}`);
    }
    return args;
  }

  /** The image as the Engine holds it, when it has it: BuildKit builds FROM the local copy. */
  override async localImageConfig(source: string): Promise<BaseImageConfig | null> {
    const lines: string[] = [];
    const outcome = await this.docker(
      ['image', 'inspect', '--format', '{{json .Config}}', '--', source],
      15_000,
      AbortSignal.timeout(20_000),
      (line) => lines.push(line),
    );
    if (outcome.code !== 0) return null;
    try {
      const config = JSON.parse(lines.join('')) as { User?: unknown; WorkingDir?: unknown } | null;
      return {
        user: typeof config?.User === 'string' ? config.User : '',
        workingDir: typeof config?.WorkingDir === 'string' ? config.WorkingDir : '',
      };
    } catch {
      return null;
    }
  }

  /**
   * Decides whose fault a failed step is from the driver's own checks, never
   * from the build's output (a build may print anything, "Cannot connect to
   * the Docker daemon" included): a CLI that died of a signal we did not send,
   * or an Engine that does not answer a ping right after the failure, is the
   * machinery (retried); any other non-zero exit is the build's own failure.
   */
  private async check(
    outcome: { code: number | null; timedOut: boolean; aborted: boolean },
    output: LogBatcher,
    reason: FailureReason,
    what: string,
  ): Promise<void> {
    if (outcome.aborted) throw new BuildFailure('the build was cancelled', 'Cancelled');
    if (outcome.timedOut) throw new BuildFailure(`${what}: the build exceeded its deadline`, 'DeadlineExceeded');
    if (outcome.code === 0) return;
    if (outcome.code === null) throw new Error(`${what}: the docker CLI was killed`);
    try {
      await this.ready();
    } catch (error) {
      throw new Error(`Docker Engine unavailable: ${(error as Error).message}`);
    }
    const recent = output.recent;
    const cause = [...recent].reverse().find((line) => /error|failed/i.test(line)) ?? `exit code ${outcome.code}`;
    throw new BuildFailure(`${what}: ${cause.trim()}`, reason);
  }

  private docker(args: string[], timeoutMs: number, signal: AbortSignal, onLine: (line: string) => void) {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOCKER_BUILDKIT: '1',
      ...(this.config.DOCKER_HOST ? { DOCKER_HOST: this.config.DOCKER_HOST } : {}),
    };
    return runProcess(this.config.DOCKER_CLI, args, { env, timeoutMs: Math.max(timeoutMs, 1), signal, onLine });
  }
}
