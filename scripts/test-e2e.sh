#!/usr/bin/env bash
# End-to-end tests in a real n8n, against the Leonardo emulator.
#   bash scripts/test-e2e.sh e2e [jest args]      the example workflows and the credential test (npm run test:e2e)
#   bash scripts/test-e2e.sh browser [jest args]  the node panel in Chromium (npm run test:browser)
# Installs what is missing first: Node 24 and n8n 2.41.1 into the cache, Chromium for the browser test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

suite="${1:-e2e}"
shift || true

# shellcheck source=scripts/n8n-runtime.sh
source scripts/n8n-runtime.sh
# n8n loads the package from dist/, so test what a user would install.
npm run --silent build

case "$suite" in
	e2e) LTX_E2E_SUITE=e2e exec npx jest -c jest.e2e.config.js "$@" ;;
	browser)
		LTX_CHROMIUM="$(bash scripts/ensure-chromium.sh)"
		export LTX_CHROMIUM
		LTX_E2E_SUITE=browser exec npx jest -c jest.e2e.config.js "$@"
		;;
	*)
		echo "usage: bash scripts/test-e2e.sh e2e|browser [jest args]" >&2
		exit 2
		;;
esac
