import type { FailureReason } from '#libs/errors';
import { Injectable, Logger } from '@nestjs/common';
import { BuildLogsRepository, BuildOutcome, BuildRecord, BuildRecordsRepository, PushedImagesChannel, isFinished, pushReference } from '#libs/builds';
import { DeployerEnvironment } from '#libs/config';
import { BuildDriver, BuildFailure, BuildHandover, isHandover, type BuildSpec } from '#libs/drivers';
import { BuildOutcomeMetrics } from '#libs/metrics';
import { BASE_NAME_LABEL, BUILD_IDENTITY_LABEL, ENSURE_ID_LABEL, RUNTIME_KIND_LABEL, RuntimeRegistry, installFailureIn } from '#libs/runtimes';
import { BaseImageUserResolver } from './base-image-user.resolver.js';
import { InstallSecrets } from './install-secrets.js';

/** How far back a failed build's log is searched for the install step's own verdict. */
const INSTALL_VERDICT_LINES = 200;

interface BuildInputs {
  content: Buffer | null;
  registrySecret: string | null;
}

export interface Attempt {
  number: number;
  isLast: boolean;
}

/**
 * Runs one build to its end: renders the Dockerfile, drives the builder,
 * streams the log and records the outcome exactly once. Faults of the
 * machinery are rethrown for the queue to retry, except on the last attempt.
 */
@Injectable()
export class RunBuildUseCase {
  private readonly logger = new Logger(RunBuildUseCase.name);

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly records: BuildRecordsRepository,
    private readonly logs: BuildLogsRepository,
    private readonly runtimes: RuntimeRegistry,
    private readonly driver: BuildDriver,
    private readonly pushedImages: PushedImagesChannel,
    private readonly outcomeMetrics: BuildOutcomeMetrics,
    private readonly baseUsers: BaseImageUserResolver,
    private readonly installSecrets: InstallSecrets,
  ) {}

  /**
   * The finished record when this run reported the outcome; null when there
   * was nothing to run or another reported it. `loaded` is the record as the
   * caller has just read it, which is then not read again (marking the build
   * running is what checks, atomically, that it is still to run).
   */
  async execute(buildId: string, attempt: Attempt, signal: AbortSignal, loaded?: BuildRecord | null): Promise<BuildRecord | null> {
    const record = loaded === undefined ? await this.records.get(buildId) : loaded;
    if (!record) {
      this.logger.warn(`Build ${buildId} has no record (expired or cleaned up); skipping`);
      return null;
    }
    if (isFinished(record.state)) return null;
    // Asked in the same tick as the mark, the inputs share its round trip; unused when another run has the build.
    const inputs = this.inputsOf(record);
    inputs.catch(() => undefined);
    if (!(await this.records.markRunning(buildId))) return null;
    if (attempt.number > 1) await this.logs.append(buildId, [`--- attempt ${attempt.number} ---`]);

    try {
      const { spec, noted } = await this.specOf(record, await inputs);
      const result = await this.driver.run(spec, { write: (lines) => this.logs.append(buildId, lines) }, signal);
      await noted;
      // Sent before the report, on the same connection and in the same round trip: Redis runs them in order, so no
      // one asks again with a stale view of the registry once the build is reported done.
      const [, reported] = await Promise.all([
        this.pushedImages.announce(`${record.registryHost}/${record.user}`),
        this.report(record, { state: 'succeeded', digest: result.digest, message: `Pushed ${pushReference(record)}` }),
      ]);
      return reported;
    } catch (error) {
      // Whatever the driver made of the abort, a handed-over build is not over: no outcome is recorded.
      if (isHandover(signal)) {
        await this.logs.append(buildId, ['the worker is shutting down: the build goes to another worker']);
        throw new BuildHandover();
      }
      if (error instanceof BuildFailure) return await this.report(record, { state: 'failed', ...(await this.failureOf(buildId, error)) });
      const message = error instanceof Error ? error.message : String(error);
      if (!attempt.isLast) {
        this.logger.warn(`Build ${buildId} attempt ${attempt.number} hit a fault, will retry: ${message}`);
        await this.logs.append(buildId, [`build interrupted by a fault, retrying: ${message}`]);
        throw error;
      }
      return await this.report(record, { state: 'failed', reason: 'BuilderUnavailable', message });
    }
  }

  /** A failed image build is named by its install step when that step said why it failed. */
  private async failureOf(buildId: string, error: BuildFailure): Promise<{ reason: FailureReason; message: string }> {
    if (error.reason !== 'BuildFailed') return { reason: error.reason, message: error.message };
    const verdict = installFailureIn(await this.logs.tail(buildId, INSTALL_VERDICT_LINES));
    return verdict ?? { reason: error.reason, message: error.message };
  }

  /** The dependency file and the push credentials stored with the build, read together. */
  private inputsOf(record: BuildRecord): Promise<BuildInputs> {
    return Promise.all([record.hasFile ? this.records.getFile(record.id) : null, this.records.getCredentials(record.id)]).then(([content, registrySecret]) => ({
      content,
      registrySecret,
    }));
  }

  /**
   * The build's spec, and the note of its base image's user on its way to the log: written on the connection the
   * builder's lines take after it, so it comes first without the build waiting for its round trip.
   */
  private async specOf(record: BuildRecord, { content, registrySecret }: BuildInputs): Promise<{ spec: BuildSpec; noted: Promise<void> }> {
    const strategy = this.runtimes.get(record.kind);
    if (record.hasFile && !content) throw new BuildFailure('the dependency file has expired', 'DependencyFileMissing');
    const base = content ? await this.baseUsers.resolve(record.source, strategy) : null;
    const noted = base ? this.logs.append(record.id, [base.note]) : Promise.resolve();
    // Awaited once the builder ends; a failure meanwhile is not left unhandled.
    noted.catch(() => undefined);
    const installFiles = content
      ? Object.entries(strategy.installFiles(content.toString('utf8'))).map(([name, text]) => ({ name, content: Buffer.from(text) }))
      : [];
    const labels = {
      [BASE_NAME_LABEL]: record.source,
      [BUILD_IDENTITY_LABEL]: record.identity,
      [RUNTIME_KIND_LABEL]: record.kind,
      ...(record.ensureId ? { [ENSURE_ID_LABEL]: record.ensureId } : {}),
    };
    const spec: BuildSpec = {
      buildId: record.id,
      jobName: record.jobName,
      login: record.login,
      kind: record.kind,
      registryHost: record.registryHost,
      registrySecret,
      image: pushReference(record),
      source: record.source,
      dockerfile: strategy.render({ source: record.source, hasFile: record.hasFile, user: base?.user ?? strategy.defaultUser, labels }),
      dependencyFile: content ? { name: strategy.dependencyFile, content } : null,
      installFiles,
      secrets: content ? [...this.installSecrets.secrets] : [],
      timeoutSeconds: this.config.BUILD_TIMEOUT_SECONDS,
      noCache: record.force,
    };
    return { spec, noted };
  }

  /** Records the outcome once: the finished record, or null when another report came first. */
  private async report(record: BuildRecord, outcome: BuildOutcome): Promise<BuildRecord | null> {
    const logTail = outcome.state === 'failed' ? await this.logs.tail(record.id, this.config.LOG_TAIL_LINES) : [];
    // The finished record comes back with the report: `record` was loaded before the build was marked running.
    const finished = await this.records.finishAndRead(record, { ...outcome, logTail });
    if (!finished) return null;
    await this.outcomeMetrics.record(finished);
    const request = record.requestId ? ` [request ${record.requestId}]` : '';
    this.logger.log(`Build ${record.id} (${record.jobName}) ${outcome.state}${outcome.reason ? `: ${outcome.reason}` : ''}${request}`);
    return finished;
  }
}
