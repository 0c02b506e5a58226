#!/usr/bin/env bash
# Source this file: ensures Node 24 and a pinned real n8n are installed in the cache folder
# ($LTX_CACHE, outside the clone) and exports where they are:
#   LTX_N8N_VERSION  the pinned n8n version (2.41.1)
#   LTX_N8N_DIR      the folder n8n is installed in ($LTX_CACHE/n8n-<version>)
#   LTX_N8N_BIN      the n8n executable
# The first run installs n8n (about 5 minutes, 2.9 GB); later runs and other clones reuse it.
# Safe when several processes source it at once: one installs under a lock into a temporary
# folder and renames it into place when complete; the others wait for the lock.

_ltx_runtime_main() {
	local script_dir
	script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	# shellcheck source=scripts/node24.sh
	source "$script_dir/node24.sh" || return 1

	# 2.41.3 is not installable from the registry (pinned dependencies missing); 2.41.1 is.
	export LTX_N8N_VERSION="${LTX_N8N_VERSION:-2.41.1}"
	export LTX_N8N_DIR="$LTX_CACHE/n8n-$LTX_N8N_VERSION"
	export LTX_N8N_BIN="$LTX_N8N_DIR/node_modules/.bin/n8n"

	_ltx_n8n_is_ready && return 0
	mkdir -p "$LTX_CACHE" || return 1
	(
		# A subshell holds the lock: it is released when the subshell ends, even on failure.
		exec 9>"$LTX_N8N_DIR.lock"
		if ! flock -n 9; then
			echo "[n8n-runtime] another process is installing n8n $LTX_N8N_VERSION; waiting for it" >&2
			flock 9
		fi
		_ltx_n8n_is_ready && exit 0
		_ltx_install_n8n
	) || {
		echo "[n8n-runtime] ERROR: could not install n8n $LTX_N8N_VERSION into $LTX_N8N_DIR (see the log above)" >&2
		return 1
	}
}

# Ready = the marker written after a complete, verified install, and the expected version.
_ltx_n8n_is_ready() {
	[ -f "$LTX_N8N_DIR/.ready" ] && [ -x "$LTX_N8N_BIN" ] &&
		grep -q "\"version\": \"$LTX_N8N_VERSION\"" "$LTX_N8N_DIR/node_modules/n8n/package.json" 2>/dev/null
}

_ltx_install_n8n() {
	local staging="$LTX_N8N_DIR.tmp-$$" started=$SECONDS
	rm -rf "$staging" && mkdir -p "$staging" || return 1
	echo "[n8n-runtime] installing n8n $LTX_N8N_VERSION into $LTX_N8N_DIR (first run only, about 5 minutes)" >&2
	# Exact pin: a caret range would pull a newer n8n on a fresh machine.
	printf '{"name":"ltx-n8n-runtime","private":true,"dependencies":{"n8n":"%s"}}\n' "$LTX_N8N_VERSION" >"$staging/package.json"
	(
		cd "$staging" || exit 1
		# --ignore-scripts: a plain install fails (a Kafka client downloads binaries from outside).
		# Then build only the two native addons n8n needs: sqlite3 (the database) and isolated-vm
		# (the expression engine; ships a Node 24 prebuild, rebuilt from source when that fails).
		npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$LTX_N8N_VERSION" &&
			npm rebuild --loglevel=error sqlite3 isolated-vm
	) >"$staging/install.log" 2>&1 || {
		tail -n 30 "$staging/install.log" >&2
		rm -rf "$staging"
		return 1
	}
	_ltx_verify_n8n "$staging" || {
		rm -rf "$staging"
		return 1
	}
	echo "$LTX_N8N_VERSION" >"$staging/.ready"
	# Replace an incomplete earlier attempt (no marker), then move the finished install into place.
	rm -rf "$LTX_N8N_DIR" && mv "$staging" "$LTX_N8N_DIR" || return 1
	echo "[n8n-runtime] n8n $LTX_N8N_VERSION installed in $((SECONDS - started)) s" >&2
}

# n8n starts only if both native addons load under Node 24.
_ltx_verify_n8n() {
	local dir="$1"
	(
		cd "$dir" &&
			node -e "
				const ivm = require('isolated-vm');
				const isolate = new ivm.Isolate({ memoryLimit: 8 });
				if (isolate.compileScriptSync('6 * 7').runSync(isolate.createContextSync()) !== 42) process.exit(1);
				require('sqlite3');
			" &&
			[ "$(node_modules/.bin/n8n --version)" = "$LTX_N8N_VERSION" ]
	) || {
		echo "[n8n-runtime] ERROR: the installed n8n does not load (native addons sqlite3/isolated-vm under $(node --version))" >&2
		return 1
	}
}

_ltx_runtime_main
_ltx_runtime_status=$?
unset -f _ltx_runtime_main _ltx_n8n_is_ready _ltx_install_n8n _ltx_verify_n8n
# shellcheck disable=SC2317  # return when sourced, exit when run directly
return $_ltx_runtime_status 2>/dev/null || exit $_ltx_runtime_status
