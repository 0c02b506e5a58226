#!/usr/bin/env bash
# npm run test:matrix: the same E2E suite (the examples with `n8n execute`, the server and credential
# test, the installed-package path through n8n's installer) on every n8n the README's Compatibility
# table names, one row at a time:
#   n8n 2.41.1 on Node 24 (binary data on the filesystem, 2.x's default)
#   n8n 1.123.81 on Node 22, binary data in memory (N8N_DEFAULT_BINARY_DATA_MODE=default, 1.x's default)
#   n8n 1.123.81 on Node 22, binary data on the filesystem
# Each n8n is installed into the cache on first use (1.123.81: about 3 minutes). Extra arguments go to
# jest, e.g. `npm run test:matrix -- test/e2e/install.test.ts`. LTX_MATRIX_ROWS picks rows by number (e.g. "2 3").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rows=("2.41.1 24 -" "1.123.81 22 default" "1.123.81 22 filesystem")
selected="${LTX_MATRIX_ROWS:-1 2 3}"
summary=()
status=0
for number in $selected; do
	read -r version node mode <<<"${rows[$((number - 1))]}"
	label="n8n $version on Node $node, binary data mode ${mode/-/default of 2.x (filesystem)}"
	printf '\n=== matrix row %s: %s ===\n' "$number" "$label" >&2
	started=$SECONDS
	if env LTX_N8N_VERSION="$version" LTX_N8N_NODE="$node" LTX_N8N_BINARY_DATA_MODE="${mode#-}" \
		bash scripts/test-e2e.sh e2e "$@"; then
		summary+=("PASS  row $number: $label ($((SECONDS - started)) s)")
	else
		summary+=("FAIL  row $number: $label ($((SECONDS - started)) s)")
		status=1
	fi
done
printf '\n=== matrix ===\n' >&2
printf '%s\n' "${summary[@]}" >&2
exit "$status"
