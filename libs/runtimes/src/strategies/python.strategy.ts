import { invalidDependencyFile } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';

const MAX_LINE_LENGTH = 4096;

/**
 * Actions run on the image's own interpreter with an emptied environment, so
 * packages go to its system site-packages (no PYTHONPATH reaches an action).
 * Debian's python refuses system installs unless told otherwise; the
 * OpenServerless images (python.org builds in /usr/local) do not mind.
 */
const FALLBACK = `
req=/tmp/requirements.txt
if ! grep -q '^[[:space:]]*[^#[:space:]]' "$req"; then
  say "requirements.txt lists nothing to install"
  exit 0
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_BREAK_SYSTEM_PACKAGES=1 UV_BREAK_SYSTEM_PACKAGES=1
if command -v uv >/dev/null 2>&1; then
  say "uv pip install --system -r $req"
  uv pip install --python python3 --system --no-cache -r "$req" || fail InstallFailed "uv pip install exited with status $?"
  exit 0
fi
py=$(command -v python3 || command -v python) || fail NotExtendible "the image has neither /bin/extend nor python3"
"$py" -m pip --version >/dev/null 2>&1 || fail NotExtendible "the image has neither /bin/extend nor pip for $py"
say "$py -m pip install -r $req"
"$py" -m pip install --no-cache-dir -r "$req" || fail InstallFailed "pip install exited with status $?"
`;

/** Permissive on purpose: pip decides what a requirement means; this only stops non-text. */
export const pythonRuntimeStrategy = defineRuntimeStrategy({
  kind: 'python',
  dependencyFile: 'requirements.txt',
  defaultUser: 'nobody',
  extendibleWithoutExtend: true,
  check(content) {
    if (content.includes('\u0000')) throw invalidDependencyFile('requirements.txt', 'it contains a NUL character');
    const long = content.split('\n').findIndex((line) => line.length > MAX_LINE_LENGTH);
    if (long >= 0) {
      throw invalidDependencyFile('requirements.txt', `line ${long + 1} is longer than ${MAX_LINE_LENGTH} characters`);
    }
  },
  fallback: FALLBACK,
});
