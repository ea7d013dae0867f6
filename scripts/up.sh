#!/usr/bin/env bash
# Brings the deployer up on the embedded default (local driver, static users)
# and builds the sample image end to end, as `ops ide deploy` would.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build

echo "starting Redis, registry, Docker Engine, CouchDB-compatible server and the base image..."
node dist/apps/cli/src/main.js devenv up > /dev/null
set -a
. .devenv/env
AUTH_PROVIDER=static
USERS_FILE=deploy/samples/users.json
LISTEN_PORT="${LISTEN_PORT:-5000}"
set +a

pidfile=.devenv/deployer.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  kill "$(cat "$pidfile")" && sleep 1
fi
nohup node dist/apps/standalone/src/main.js > .devenv/deployer.log 2>&1 &
echo $! > "$pidfile"
api="http://127.0.0.1:${LISTEN_PORT}"
answers() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$api/system/api/v1/build"; }
for _ in $(seq 1 60); do
  if answers; then break; fi
  sleep 0.5
done
answers || { echo "the deployer did not start; see .devenv/deployer.log" >&2; exit 1; }
echo "deployer listening on $api (pid $(cat "$pidfile"), log .devenv/deployer.log)"

# The sample user of deploy/samples/users.json, and the target `ops ide deploy` computes for a nodejs action:
# deploy/samples/package.json extends the nodejs runtime look-alike (real node and npm, no /bin/extend), so
# lodash is installed from the npm registry into /app/node_modules.
auth="$(node -e 'const [u] = require("./deploy/samples/users.json"); process.stdout.write(`${u.uuid}:${u.key}`)')"
hash="$(md5sum deploy/samples/package.json | cut -d ' ' -f 1)"
sent="$(mktemp)"
trap 'rm -f "$sent"' EXIT
node dist/apps/cli/src/main.js send --api "$api" --auth "$auth" \
  --source "$NODEJS_BASE_IMAGE" --target "devel:nodejs-$hash" --kind nodejs \
  --file deploy/samples/package.json | tee "$sent"

# Proof: an action of that image, run as the runtime runs it (its user, from /app/action/<n>/bin, with an
# emptied environment), finds the dependency.
image="$(sed -n 's/^image: //p' "$sent")"
DOCKER_HOST="$DOCKER_HOST" "$DOCKER_CLI" run --rm --network none --workdir /app/action/1/bin "$image" \
  env -i /usr/bin/node -e 'const _ = require("lodash"); console.log(`proof: ${require.resolve("lodash")} lodash ${_.VERSION} in the image, run as ${require("os").userInfo().username}`)'
