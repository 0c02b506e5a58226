#!/usr/bin/env bash
# Source this file (after scripts/node24.sh): ensures s3rver, a local S3-compatible server the E2E test
# of the S3 example uploads to (test/e2e/s3-storage.ts), is installed in the cache
# ($LTX_CACHE/s3rver-<version>, outside the clone: it is not a devDependency) and exports LTX_S3RVER_DIR
# (its node_modules/s3rver). First run about 5 s.
# shellcheck source=scripts/node-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/node-runtime.sh"
_ltx_s3rver_dir="$(ltx_cache_tool s3rver 3.7.1 '{"name":"ltx-s3rver","private":true,"dependencies":{"s3rver":"3.7.1"}}')" ||
	return 1 2>/dev/null || exit 1
export LTX_S3RVER_DIR="$_ltx_s3rver_dir/node_modules/s3rver"
unset _ltx_s3rver_dir
