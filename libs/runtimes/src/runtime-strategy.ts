import type { RuntimeKind } from './runtime-kind.js';

/** What a strategy needs to render the Dockerfile of one build. */
export interface DockerfileInput {
  /** The runtime image to extend; validated again by the render. */
  readonly source: string;
  /** Whether the build context holds the kind's dependency file. */
  readonly hasFile: boolean;
  /** Extra labels, e.g. the build identity under BUILD_IDENTITY_LABEL. */
  readonly labels: Readonly<Record<string, string>>;
}

/** One runtime kind: its dependency file, a cheap check of that file, and its Dockerfile. */
export interface RuntimeStrategy {
  readonly kind: RuntimeKind;
  /** File name in the build context and under /tmp in the image, e.g. `requirements.txt`. */
  readonly dependencyFile: string;
  /** Throws InvalidInputError (reason `InvalidDependencyFile`) naming the file and the problem. */
  check(content: string): void;
  render(input: DockerfileInput): string;
}
