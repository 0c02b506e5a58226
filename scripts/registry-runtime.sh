#!/usr/bin/env bash
# Source this file (after scripts/node24.sh): ensures verdaccio, the local npm registry the E2E tests
# publish the packed package to, is installed in the cache ($LTX_CACHE/verdaccio-<version>, outside the
# clone: it is not a devDependency) and exports LTX_VERDACCIO_BIN. First run about 10 s.
# verdaccio 6.8.0 installs here only with node-fetch pinned to 2.7.0 (an override in the host folder's
# package.json, never in ours); later 6.x want Node 22 features or do not install as they stand.
_ltx_registry_main() {
	local version=6.8.0 dir
	dir="$LTX_CACHE/verdaccio-$version"
	export LTX_VERDACCIO_BIN="$dir/node_modules/.bin/verdaccio"
	[ -f "$dir/.ready" ] && [ -x "$LTX_VERDACCIO_BIN" ] && return 0
	mkdir -p "$LTX_CACHE" || return 1
	(
		exec 9>"$dir.lock"
		flock 9
		[ -f "$dir/.ready" ] && exit 0
		echo "[registry-runtime] installing verdaccio $version into $dir (first run only)" >&2
		rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
		printf '{"name":"ltx-verdaccio","private":true,"dependencies":{"verdaccio":"%s"},"overrides":{"node-fetch":"2.7.0"}}\n' "$version" >package.json
		npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >install.log 2>&1 || {
			tail -n 30 install.log >&2
			exit 1
		}
		touch .ready
	) || {
		echo "[registry-runtime] ERROR: could not install verdaccio $version into $dir (see the log above)" >&2
		return 1
	}
}
_ltx_registry_main
_ltx_registry_status=$?
unset -f _ltx_registry_main
# shellcheck disable=SC2317  # return when sourced, exit when run directly
return $_ltx_registry_status 2>/dev/null || exit $_ltx_registry_status
