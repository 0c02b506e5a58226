#!/usr/bin/env bash
# Source this file: ensures Node 24 (first on PATH: it runs the build and the tests) and a pinned real
# n8n on the Node it needs are installed in the cache folder ($LTX_CACHE, outside the clone), and
# exports where they are:
#   LTX_N8N_VERSION   the n8n version: 2.41.1 unless set (the matrix also runs 1.123.81)
#   LTX_N8N_NODE      the Node major n8n runs on: 24 for 2.x, 22 for 1.x, unless set
#   LTX_N8N_NODE_DIR  that Node's folder; the harness puts its bin/ first on PATH of every n8n process
#   LTX_N8N_DIR       the folder n8n is installed in ($LTX_CACHE/n8n-<version>, -node<major> unless 24)
#   LTX_N8N_BIN       the n8n executable
# The first run installs n8n (about 5 minutes for 2.41.1, 3 for 1.123.81); later runs and clones reuse it.
# Safe when several processes source it at once: one installs under a lock into a temporary
# folder and renames it into place when complete; the others wait for the lock.

_ltx_runtime_main() {
	local script_dir
	script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	# shellcheck source=scripts/node24.sh
	source "$script_dir/node24.sh" || return 1

	# 2.41.3 is not installable from the registry (pinned dependencies missing); 2.41.1 is.
	export LTX_N8N_VERSION="${LTX_N8N_VERSION:-2.41.1}"
	# n8n 2.x needs Node >= 24; 1.123's isolated-vm 6.2 needs Node >= 22 (it declares >= 20.19).
	case "$LTX_N8N_VERSION" in
		1.*) export LTX_N8N_NODE="${LTX_N8N_NODE:-22}" ;;
		*) export LTX_N8N_NODE="${LTX_N8N_NODE:-24}" ;;
	esac
	LTX_N8N_NODE_DIR="$(ltx_node_dir "$LTX_N8N_NODE")" || return 1
	export LTX_N8N_NODE_DIR
	# Native addons are built for one Node: a folder per pairing (no suffix for Node 24, as before).
	export LTX_N8N_DIR="$LTX_CACHE/n8n-$LTX_N8N_VERSION"
	[ "$LTX_N8N_NODE" = 24 ] || LTX_N8N_DIR="$LTX_N8N_DIR-node$LTX_N8N_NODE"
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
	echo "[n8n-runtime] installing n8n $LTX_N8N_VERSION for Node $LTX_N8N_NODE into $LTX_N8N_DIR (first run only, about 5 minutes)" >&2
	# Exact pin: a caret range would pull a newer n8n on a fresh machine. n8n 1.x depends on `xlsx` from
	# a URL outside the npm registry; the registry's 0.18.5 replaces it, in this host folder only.
	local overrides=''
	case "$LTX_N8N_VERSION" in 1.*) overrides=',"overrides":{"xlsx":"0.18.5"}' ;; esac
	printf '{"name":"ltx-n8n-runtime","private":true,"dependencies":{"n8n":"%s"}%s}\n' "$LTX_N8N_VERSION" "$overrides" >"$staging/package.json"
	(
		cd "$staging" || exit 1
		# The addons compile and load against the Node n8n runs on.
		export PATH="$LTX_N8N_NODE_DIR/bin:$PATH" npm_config_nodedir="$LTX_N8N_NODE_DIR"
		# --ignore-scripts: a plain install fails (a Kafka client downloads binaries from outside).
		# Then build only the two native addons n8n needs: sqlite3 (the database) and isolated-vm
		# (the expression engine; ships prebuilds, rebuilt from source when none fits).
		npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error &&
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

# n8n starts only if both native addons load under the Node it runs on.
_ltx_verify_n8n() {
	local dir="$1"
	(
		export PATH="$LTX_N8N_NODE_DIR/bin:$PATH"
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
