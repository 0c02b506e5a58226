#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH (installed into the cache on first use), e.g.
#   bash scripts/with-node24.sh npx jest
set -euo pipefail
# shellcheck source=scripts/node24.sh
source "$(dirname "${BASH_SOURCE[0]}")/node24.sh"
exec "$@"
