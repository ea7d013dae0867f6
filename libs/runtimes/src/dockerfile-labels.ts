/** OCI label recording the image the build started from. */
export const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';
/** Label recording the build identity hash, so an existing image can be recognised. */
export const BUILD_IDENTITY_LABEL = 'org.openserverless.deployer.identity';
/** Label recording the content-addressed id of a `build/ensure` build, so the registry alone can answer for it. */
export const ENSURE_ID_LABEL = 'org.openserverless.deployer.ensure-id';
/** Label recording the runtime kind the image was built for. */
export const RUNTIME_KIND_LABEL = 'org.openserverless.deployer.kind';

/**
 * A Dockerfile word for any string: JSON escaping keeps quotes and backslashes
 * inside the word, anything outside printable ASCII (line breaks of every
 * flavour included) becomes a \uXXXX text, and `$` is escaped because LABEL
 * expands variables. The instruction is printable ASCII on one line.
 */
function quoteWord(value: string): string {
  return JSON.stringify(value)
    .replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\$/g, '\\$');
}

/** One `LABEL "k"="v" ...` instruction, keys sorted so equal inputs render equal files. */
export function renderLabelInstruction(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((key) => `${quoteWord(key)}=${quoteWord(labels[key])}`);
  return `LABEL ${pairs.join(' ')}`;
}
