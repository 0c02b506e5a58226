#!/usr/bin/env bash
# npm run test:matrix: the E2E suite on every n8n the README's Compatibility table names, one row at a time:
#   n8n 2.41.1 on Node 24 (binary data on the filesystem, 2.x's default): every test/e2e/*.test.ts
#   n8n 1.123.81 on Node 22, binary data in memory (N8N_DEFAULT_BINARY_DATA_MODE=default, 1.x's default)
#   n8n 1.123.81 on Node 22, binary data on the filesystem
# The 1.x rows run the same files for what the compatibility promise covers: the examples with
# `n8n execute`, the server and credential test, the installation through n8n's installer and by hand,
# the 256 MiB video, frames from links and the On Error routing (1.x routes error items by other rules)
# and the poster and file name options (CORE_TESTS); the trigger and durable-wait tests run on 2.41.1 only.
# Each n8n is installed into the cache on first use (1.123.81: about 3 minutes). Extra arguments go to
# jest, e.g. `npm run test:matrix -- test/e2e/install.test.ts`. LTX_MATRIX_ROWS picks rows by number (e.g. "2 3").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rows=("2.41.1 24 - all" "1.123.81 22 default core" "1.123.81 22 filesystem core")
CORE_TESTS=(test/e2e/examples.test.ts test/e2e/examples-storage.test.ts test/e2e/server.test.ts test/e2e/install.test.ts test/e2e/large-video.test.ts test/e2e/url-frames.test.ts test/e2e/error-output.test.ts test/e2e/poster-filename.test.ts)
selected="${LTX_MATRIX_ROWS:-1 2 3}"
summary=()
status=0
for number in $selected; do
	read -r version node mode suite <<<"${rows[$((number - 1))]}"
	files=()
	# Explicit jest arguments pick the tests themselves.
	[ "$suite" = core ] && [ "$#" -eq 0 ] && files=("${CORE_TESTS[@]}")
	label="n8n $version on Node $node, binary data mode ${mode/-/default of 2.x (filesystem)}"
	printf '\n=== matrix row %s: %s ===\n' "$number" "$label" >&2
	started=$SECONDS
	if env LTX_N8N_VERSION="$version" LTX_N8N_NODE="$node" LTX_N8N_BINARY_DATA_MODE="${mode#-}" \
		bash scripts/test-e2e.sh e2e "${files[@]}" "$@"; then
		summary+=("PASS  row $number: $label ($((SECONDS - started)) s)")
	else
		summary+=("FAIL  row $number: $label ($((SECONDS - started)) s)")
		status=1
	fi
done
printf '\n=== matrix ===\n' >&2
printf '%s\n' "${summary[@]}" >&2
exit "$status"
