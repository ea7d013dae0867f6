import { requireJsonObject } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';

/**
 * Actions run from <WORKDIR>/action/<n>/bin (WORKDIR /app on the
 * OpenServerless images) and require() searches the parent directories, so
 * the dependencies land in <WORKDIR>/node_modules; `npm install -g` would not
 * be searched. The install runs in a scratch directory so the user's
 * package.json (its "type" field above all) never becomes the actions' parent
 * package. An image whose WORKDIR is / gets /app, leaving the runtime's own
 * /node_modules alone.
 */
const FALLBACK = `
command -v npm >/dev/null 2>&1 || fail NotExtendible "the image has neither /bin/extend nor npm"
dir=$(pwd)
if [ "$dir" = / ]; then dir=/app; fi
stage=$(mktemp -d /tmp/deployer-npm.XXXXXX)
cp /tmp/package.json "$stage/package.json"
cd "$stage" || fail InstallFailed "cannot enter $stage"
say "npm install --omit=dev into $dir/node_modules"
npm install --omit=dev --no-audit --no-fund --no-package-lock --no-update-notifier --cache "$stage/.npm" --loglevel=warn \\
  || fail InstallFailed "npm install exited with status $?"
mkdir -p "$dir/node_modules"
if [ -d node_modules ]; then cp -a node_modules/. "$dir/node_modules/"; fi
cd / && rm -rf "$stage"
say "installed in $dir/node_modules: $(ls "$dir/node_modules" | tr '\\n' ' ')"
`;

export const nodejsRuntimeStrategy = defineRuntimeStrategy({
  kind: 'nodejs',
  dependencyFile: 'package.json',
  defaultUser: 'nobody',
  extendibleWithoutExtend: true,
  check: (content) => requireJsonObject('package.json', content),
  fallback: FALLBACK,
});
