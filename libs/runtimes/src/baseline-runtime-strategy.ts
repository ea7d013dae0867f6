import { parseImageReference } from '#libs/images';
import { BASE_NAME_LABEL, RUNTIME_KIND_LABEL, renderLabelInstruction } from './dockerfile-labels.js';
import type { RuntimeKind } from './runtime-kind.js';
import type { DockerfileInput, RuntimeStrategy } from './runtime-strategy.js';

/** The declared part of a strategy; the render is the shared baseline. */
export type RuntimeStrategyDeclaration = Pick<RuntimeStrategy, 'kind' | 'dependencyFile' | 'check'>;

/**
 * The baseline Dockerfile every kind shares. The runtime image's /bin/extend
 * installs whatever /tmp/<file> lists. Labels come last so a label change never
 * invalidates the cached RUN layer.
 */
export function renderBaselineDockerfile(
  kind: RuntimeKind,
  dependencyFile: string,
  { source, hasFile, labels }: DockerfileInput,
): string {
  // The caller validated the source already; a second check keeps any future caller from writing FROM lines.
  parseImageReference(source);
  const steps = hasFile
    ? [`COPY ${dependencyFile} /tmp/${dependencyFile}`, 'USER root', 'RUN /bin/extend', 'USER nobody']
    : [];
  const label = renderLabelInstruction({ ...labels, [BASE_NAME_LABEL]: source, [RUNTIME_KIND_LABEL]: kind });
  return [`FROM ${source}`, ...steps, label, ''].join('\n');
}

export function baselineRuntimeStrategy(declaration: RuntimeStrategyDeclaration): RuntimeStrategy {
  const { kind, dependencyFile, check } = declaration;
  return Object.freeze({
    kind,
    dependencyFile,
    check,
    render: (input: DockerfileInput) => renderBaselineDockerfile(kind, dependencyFile, input),
  });
}
