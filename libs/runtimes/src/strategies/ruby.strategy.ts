import { invalidDependencyFile } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';

/**
 * The ruby runtime (root) loads the system gems, so bundler installs the
 * Gemfile's gems there; BUNDLE_GEMFILE of the image names the action's own
 * Gemfile and is overridden for this step only.
 */
const FALLBACK = `
gemfile=/tmp/Gemfile
if ! grep -q '^[[:space:]]*gem[[:space:](]' "$gemfile"; then
  say "Gemfile lists no gems to install"
  exit 0
fi
command -v bundle >/dev/null 2>&1 || fail NotExtendible "the image has neither /bin/extend nor bundler"
unset BUNDLE_PATH BUNDLE_DEPLOYMENT BUNDLE_FROZEN
export BUNDLE_GEMFILE="$gemfile" BUNDLE_WITHOUT=development:test BUNDLE_SILENCE_ROOT_WARNING=1 BUNDLE_DISABLE_VERSION_CHECK=1
say "bundle install --gemfile=$gemfile into the system gems"
bundle install --gemfile="$gemfile" --jobs=4 --retry=2 || fail InstallFailed "bundle install exited with status $?"
`;

export const rubyRuntimeStrategy = defineRuntimeStrategy({
  kind: 'ruby',
  dependencyFile: 'Gemfile',
  defaultUser: 'root',
  extendibleWithoutExtend: true,
  check(content) {
    if (content.includes('\u0000')) throw invalidDependencyFile('Gemfile', 'it contains a NUL character');
  },
  fallback: FALLBACK,
});
