import type { RuntimeKind } from './runtime-kind.js';

/** What a strategy needs to render the Dockerfile of one build. */
export interface DockerfileInput {
  /** The runtime image to extend; validated again by the render. */
  readonly source: string;
  /** Whether the build context holds the kind's dependency file. */
  readonly hasFile: boolean;
  /** The user the finished image runs as: the base image's own (validated by the render). */
  readonly user: string;
  /** Extra labels, e.g. the build identity under BUILD_IDENTITY_LABEL. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * One runtime kind: its dependency file, a cheap check of that file, how its
 * runtime images are extended, and its Dockerfile.
 */
export interface RuntimeStrategy {
  readonly kind: RuntimeKind;
  /** File name in the build context and under /tmp in the image, e.g. `requirements.txt`. */
  readonly dependencyFile: string;
  /** The user this kind's runtime images run as, used when the image's own config cannot be read. */
  readonly defaultUser: string;
  /** Whether images without /bin/extend can be extended at all (java and dotnet cannot). */
  readonly extendibleWithoutExtend: boolean;
  /** Throws InvalidInputError (reason `InvalidDependencyFile`) naming the file and the problem. */
  check(content: string): void;
  /**
   * Files the install step reads besides the dependency file, by context file
   * name: the install script and any data derived from the dependency file.
   * They are bind-mounted into the one install step, never copied into the image.
   */
  installFiles(content: string): Readonly<Record<string, string>>;
  render(input: DockerfileInput): string;
}
