#!/usr/bin/env bash
# npm start: builds the package and starts a real n8n 2.41.1 with it installed as a community package
# and the example workflows imported (see scripts/start.ts). Works from any shell: Node 24 and n8n
# are installed into the cache ($LTX_CACHE, default ~/.cache/n8n-nodes-leonardo-ltx) on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A fresh or stale clone gets its dev dependencies first (under Node 24).
bash scripts/setup.sh --if-needed

# shellcheck source=scripts/n8n-runtime.sh
source scripts/n8n-runtime.sh
echo "[ltx] building the package" >&2
npm run --silent build
# Node 24 runs the TypeScript launcher directly (types stripped); it stops everything on Ctrl-C.
exec node scripts/start.ts
