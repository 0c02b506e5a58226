#!/usr/bin/env bash
# Source this file (after scripts/node24.sh): ensures verdaccio, the local npm registry the E2E tests
# publish the packed package to, is installed in the cache ($LTX_CACHE/verdaccio-<version>, outside the
# clone: it is not a devDependency) and exports LTX_VERDACCIO_BIN. First run about 10 s.
# verdaccio 6.8.0 installs here only with node-fetch pinned to 2.7.0 (an override in the host folder's
# package.json, never in ours); later 6.x want Node 22 features or do not install as they stand.
# shellcheck source=scripts/node-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/node-runtime.sh"
_ltx_verdaccio_dir="$(ltx_cache_tool verdaccio 6.8.0 '{"name":"ltx-verdaccio","private":true,"dependencies":{"verdaccio":"6.8.0"},"overrides":{"node-fetch":"2.7.0"}}')" ||
	return 1 2>/dev/null || exit 1
export LTX_VERDACCIO_BIN="$_ltx_verdaccio_dir/node_modules/.bin/verdaccio"
unset _ltx_verdaccio_dir
