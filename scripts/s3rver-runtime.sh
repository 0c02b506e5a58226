#!/usr/bin/env bash
# Source this file (after scripts/node24.sh): ensures s3rver, a local S3-compatible server the E2E test
# of the S3 example uploads to (test/e2e/s3-storage.ts), is installed in the cache
# ($LTX_CACHE/s3rver-<version>, outside the clone: it is not a devDependency) and exports LTX_S3RVER_DIR
# (its node_modules/s3rver). First run about 10 s.
_ltx_s3rver_main() {
	local version=3.7.1 dir
	dir="$LTX_CACHE/s3rver-$version"
	export LTX_S3RVER_DIR="$dir/node_modules/s3rver"
	[ -f "$dir/.ready" ] && [ -f "$LTX_S3RVER_DIR/package.json" ] && return 0
	mkdir -p "$LTX_CACHE" || return 1
	(
		exec 9>"$dir.lock"
		flock 9
		[ -f "$dir/.ready" ] && exit 0
		echo "[s3rver-runtime] installing s3rver $version into $dir (first run only)" >&2
		rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
		printf '{"name":"ltx-s3rver","private":true,"dependencies":{"s3rver":"%s"}}\n' "$version" >package.json
		npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >install.log 2>&1 || {
			tail -n 30 install.log >&2
			exit 1
		}
		touch .ready
	) || {
		echo "[s3rver-runtime] ERROR: could not install s3rver $version into $dir (see the log above)" >&2
		return 1
	}
}
_ltx_s3rver_main
_ltx_s3rver_status=$?
unset -f _ltx_s3rver_main
# shellcheck disable=SC2317  # return when sourced, exit when run directly
return $_ltx_s3rver_status 2>/dev/null || exit $_ltx_s3rver_status
