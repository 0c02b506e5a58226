#!/usr/bin/env bash
# End-to-end tests in a real n8n, against the Leonardo emulator.
#   bash scripts/test-e2e.sh e2e [jest args]      the example workflows and the server/credential test (npm run test:e2e)
#   bash scripts/test-e2e.sh browser [jest args]  the node panel in Chromium (npm run test:browser)
# Installs what is missing first: Node 24, n8n (LTX_N8N_VERSION, default 2.41.1) and verdaccio into the
# cache, Chromium for the browser test. The package is packed, published to a local registry and installed
# through n8n's own Community Nodes installer once per run (test/e2e/installed-package.ts).
# Nothing is left behind, even when interrupted: n8n, the emulator, Chromium and temporary folders.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A fresh or stale clone gets its dev dependencies first (under Node 24).
bash scripts/setup.sh --if-needed

suite="${1:-e2e}"
shift || true
case "$suite" in
	e2e | browser) ;;
	*)
		echo "usage: bash scripts/test-e2e.sh e2e|browser [jest args]" >&2
		exit 2
		;;
esac

# shellcheck source=scripts/n8n-runtime.sh
source scripts/n8n-runtime.sh
# shellcheck source=scripts/registry-runtime.sh
source scripts/registry-runtime.sh
# shellcheck source=scripts/s3rver-runtime.sh
source scripts/s3rver-runtime.sh
# shellcheck source=scripts/run-scope.sh
source scripts/run-scope.sh
if [ "$suite" = browser ]; then
	LTX_CHROMIUM="$(bash scripts/ensure-chromium.sh)"
	export LTX_CHROMIUM
fi
# The run packs dist/ and installs it through n8n's installer (test/e2e/installed-package.ts).
npm run --silent build

run_scope_begin "ltx-$suite"
trap 'status=$?; trap - EXIT; run_scope_end; exit $status' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
LTX_E2E_SUITE="$suite" npx jest -c jest.e2e.config.js "$@"
