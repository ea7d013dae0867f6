import type { StoredObject } from './kube-object.js';

/** How the simulated kubelet runs the pods of one Job. */
export interface Scenario {
  outcome: 'succeed' | 'fail' | 'hang' | 'imagePullBackOff' | 'errImagePull' | 'createContainerConfigError';
  /** Lines the first app container writes to its log while it runs. */
  logLines?: string[];
  lineIntervalMs?: number;
  /** Time between the pod being scheduled and its first container starting. */
  startDelayMs?: number;
  /** Exit code of the first app container for `fail` (default 1). */
  exitCode?: number;
  /**
   * What the first app container writes to its termination message file when
   * it ends (the pod's `terminationMessagePath`), read back in
   * `state.terminated.message`, as BuildKit's `--metadata-file` does.
   */
  terminationMessage?: string;
  /** The container the image or config error hits; default the first init container, else the first container. */
  failingContainer?: string;
}

export type ScenarioScript = (job: StoredObject) => Scenario | undefined;

export const DEFAULT_SCENARIO: Scenario = { outcome: 'succeed', logLines: ['starting', 'done'], lineIntervalMs: 5, startDelayMs: 10 };
