#!/usr/bin/env bash
# Runs the whole test suite from a clean clone: installs what the machine
# lacks, builds, and runs unit and end-to-end suites against real servers
# (Redis, registry, Docker Engine with BuildKit, CouchDB-compatible server),
# which the test setup starts when they are not already running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npm run --silent typecheck
npm test
