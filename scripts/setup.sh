#!/usr/bin/env bash
# npm run setup: all the set-up a clone needs, from any Node (these machines have Node 20).
#   bash scripts/setup.sh              Node 24 (the running one when it is 24 or newer, else the npm package
#                                      for this machine, into the cache: scripts/node-runtime.sh), then `npm ci` under it
#   bash scripts/setup.sh --if-needed  the same, only when node_modules is missing or stale
#                                      (run by npm test, npm start, npm run lint and the e2e scripts)
# The dev dependencies need Node 24: n8n-workflow 2.x brings isolated-vm 7, a native addon that only
# builds there. Plain `npm ci` under an older Node stops at once (engine-strict in .npmrc) instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/node24.sh
source scripts/node24.sh

if [ "${1:-}" = --if-needed ]; then
	reason="$(node scripts/deps-status.mjs 2>&1)" && exit 0
	echo "$reason" >&2
fi
started=$SECONDS
echo "[setup] installing the dev dependencies with npm ci under Node $(node --version) (about 1.5 minutes)" >&2
npm ci --no-audit --no-fund
node scripts/deps-status.mjs
echo "[setup] ready in $((SECONDS - started)) s: npm test, npm start (docs/run-in-n8n.md)" >&2
