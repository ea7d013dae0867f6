import { BuildDriver, BuildLogSink, BuildResult, BuildSpec, DriverCleanup, DriverCleanupReport } from '#libs/drivers';

/** What one run of the scripted driver does with the build it is given. */
export type ScriptedRun = (spec: BuildSpec, log: BuildLogSink, signal: AbortSignal) => Promise<BuildResult>;

/** Resolves when `signal` aborts, rejecting with its reason: a builder that runs until it is stopped. */
export const untilAborted: ScriptedRun = (_spec, _log, signal) =>
  new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/**
 * A BuildDriver (our own port) that builds nothing: each run does what the
 * spec scripted, and every spec it was given is kept to be looked at.
 */
export class ScriptedBuildDriver extends BuildDriver {
  readonly name = 'scripted';
  readonly runs: BuildSpec[] = [];
  script: ScriptedRun = async (spec) => ({ digest: `sha256:${spec.buildId.padEnd(64, '0').slice(0, 64)}` });

  async ready(): Promise<void> {}

  async cleanup(_options: DriverCleanup): Promise<DriverCleanupReport> {
    return { deleted: 0 };
  }

  run(spec: BuildSpec, log: BuildLogSink, signal: AbortSignal): Promise<BuildResult> {
    this.runs.push(spec);
    return this.script(spec, log, signal);
  }
}
