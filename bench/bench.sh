#!/usr/bin/env bash
# npm run bench [-- --out FILE] [-- --quick]: the throughput and memory benchmark in a real n8n.
# Installs what is missing first (Node 24 and n8n 2.41.1 into the cache), builds the package (n8n loads
# dist/), then runs bench/run.ts, which starts and stops the emulator and every n8n process itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/n8n-runtime.sh
source scripts/n8n-runtime.sh
npm run --silent build >&2
exec node bench/run.ts "$@"
