import { InvalidInputError } from '#libs/errors';
import { messageExcerpt, parseImageReference } from '#libs/images';
import { BASE_NAME_LABEL, RUNTIME_KIND_LABEL, renderLabelInstruction } from './dockerfile-labels.js';
import { CA_BUNDLE_SECRET, INSTALL_ENV_SECRET, INSTALL_MOUNT_DIR, INSTALL_SCRIPT_FILE, installScript } from './install-script.js';
import type { RuntimeKind } from './runtime-kind.js';
import type { DockerfileInput, RuntimeStrategy } from './runtime-strategy.js';

/** A user name or uid, optionally with a group, as an image config's `User` holds it. */
const IMAGE_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$/;

export function isImageUser(value: string): boolean {
  return IMAGE_USER.test(value);
}

/** What a kind declares; the Dockerfile and the install files follow from it. */
export interface RuntimeStrategyDeclaration {
  readonly kind: RuntimeKind;
  readonly dependencyFile: string;
  readonly defaultUser: string;
  readonly extendibleWithoutExtend: boolean;
  check(content: string): void;
  /** Shell run when the image has no /bin/extend (after the shared prelude). */
  readonly fallback: string;
  /** Data files the fallback reads from INSTALL_MOUNT_DIR, derived from the dependency file. */
  installData?(content: string): Readonly<Record<string, string>>;
}

/**
 * The Dockerfile of every kind: the dependency file at /tmp/<file> (the
 * runtimes' /bin/extend contract), one install step as root with the install
 * files bind-mounted and the operator's secrets mounted, then the base image's
 * own user again. Labels come last so a label change never invalidates the
 * cached install layer. Without a file the source is only re-tagged.
 */
export function renderRuntimeDockerfile(
  kind: RuntimeKind,
  dependencyFile: string,
  installFileNames: readonly string[],
  { source, hasFile, user, labels }: DockerfileInput,
): string {
  // The caller validated the source already; a second check keeps any future caller from writing FROM lines.
  parseImageReference(source);
  if (!isImageUser(user)) {
    throw new InvalidInputError(`Invalid image user ${messageExcerpt(user)}.`, 'InvalidImageUser');
  }
  const mounts = [
    ...installFileNames.map((name) => `--mount=type=bind,source=${name},target=${INSTALL_MOUNT_DIR}/${mountName(name)}`),
    `--mount=type=secret,id=${INSTALL_ENV_SECRET}`,
    `--mount=type=secret,id=${CA_BUNDLE_SECRET}`,
  ];
  const steps = hasFile
    ? [
        `COPY ${dependencyFile} /tmp/${dependencyFile}`,
        'USER root',
        `RUN ${mounts.join(' ')} sh ${INSTALL_MOUNT_DIR}/${mountName(INSTALL_SCRIPT_FILE)}`,
        `USER ${user}`,
      ]
    : [];
  const label = renderLabelInstruction({ ...labels, [BASE_NAME_LABEL]: source, [RUNTIME_KIND_LABEL]: kind });
  return [`FROM ${source}`, ...steps, label, ''].join('\n');
}

/** `deployer-install.sh` → `install.sh`: context names carry a prefix so they never meet the user's file. */
function mountName(contextName: string): string {
  return contextName.replace(/^deployer-/, '');
}

const CONTEXT_NAME = /^deployer-[a-z0-9.-]{1,40}$/;

export function defineRuntimeStrategy(declaration: RuntimeStrategyDeclaration): RuntimeStrategy {
  const { kind, dependencyFile, defaultUser, extendibleWithoutExtend, check, fallback, installData } = declaration;
  const script = installScript(fallback);
  const dataNames = Object.keys(installData?.('') ?? {});
  const names = [INSTALL_SCRIPT_FILE, ...dataNames].sort();
  for (const name of names) {
    if (!CONTEXT_NAME.test(name)) throw new Error(`The ${kind} strategy declares an invalid install file name ${name}.`);
  }
  return Object.freeze({
    kind,
    dependencyFile,
    defaultUser,
    extendibleWithoutExtend,
    check,
    installFiles: (content: string) => ({ ...(installData?.(content) ?? {}), [INSTALL_SCRIPT_FILE]: script }),
    render: (input: DockerfileInput) => renderRuntimeDockerfile(kind, dependencyFile, names, input),
  });
}
