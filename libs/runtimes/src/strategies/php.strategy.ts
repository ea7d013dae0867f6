import { requireJsonObject } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';
import { composerRequirements } from './composer-requirements.js';

const REQUIREMENTS_FILE = 'deployer-composer-requires';

/**
 * The php runtime copies its image-wide vendor into every action that has
 * none (/phpAction/composer/vendor; /app/.composer/vendor from v8.4, which
 * ships /bin/extend), so the packages are required into that project. The
 * `name:constraint` list comes from the worker's own reading of composer.json,
 * one argument each.
 */
const FALLBACK = `
set --
while IFS= read -r requirement; do
  if [ -n "$requirement" ]; then set -- "$@" "$requirement"; fi
done < /run/deployer/composer-requires
if [ $# -eq 0 ]; then
  say "composer.json requires no packages to install"
  exit 0
fi
command -v composer >/dev/null 2>&1 || fail NotExtendible "the image has neither /bin/extend nor composer"
project=""
for candidate in /phpAction/composer /app/.composer; do
  if [ -f "$candidate/composer.json" ]; then project="$candidate"; break; fi
done
[ -n "$project" ] || fail NotExtendible "the image has no runtime composer project (looked in /phpAction/composer and /app/.composer)"
scratch=$(mktemp -d /tmp/deployer-composer.XXXXXX)
export COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_NO_INTERACTION=1 COMPOSER_HOME="$scratch/home" COMPOSER_CACHE_DIR="$scratch/cache"
if [ -n "\${DEPLOYER_COMPOSER_REPOSITORY:-}" ]; then
  composer config --global repos.packagist composer "$DEPLOYER_COMPOSER_REPOSITORY" || fail InstallFailed "composer could not use the configured repository"
fi
cd "$project" || fail InstallFailed "cannot enter $project"
say "composer require $* in $project"
composer require --no-progress --update-no-dev --optimize-autoloader "$@" || fail InstallFailed "composer require exited with status $?"
cd / && rm -rf "$scratch"
`;

export const phpRuntimeStrategy = defineRuntimeStrategy({
  kind: 'php',
  dependencyFile: 'composer.json',
  defaultUser: 'root',
  extendibleWithoutExtend: true,
  check(content) {
    requireJsonObject('composer.json', content);
    composerRequirements(content);
  },
  fallback: FALLBACK,
  installData: (content) => ({ [REQUIREMENTS_FILE]: composerRequirements(content).map((line) => `${line}\n`).join('') }),
});
