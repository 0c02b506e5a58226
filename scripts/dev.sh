#!/usr/bin/env bash
# Runs a command of the package.json scripts under Node 24 after `scripts/setup.sh --if-needed`, so
# `npm test` and `npm run lint` work on a fresh clone from any Node, e.g.
#   bash scripts/dev.sh jest
set -euo pipefail
bash "$(dirname "${BASH_SOURCE[0]}")/setup.sh" --if-needed
# shellcheck source=scripts/node24.sh
source "$(dirname "${BASH_SOURCE[0]}")/node24.sh"
exec "$@"
