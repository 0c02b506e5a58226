#!/usr/bin/env bash
# Sourced by scripts/ensure-*.sh. `ltx_apt_install TAG PACKAGE HINT` installs one Debian package quietly
# with apt-get; when it cannot (not root, or no apt-get) it prints HINT (what to do instead) and fails.
# The log is kept only when apt-get fails.
ltx_apt_install() {
	local tag=$1 package=$2 hint=$3 started=$SECONDS log
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "[$tag] $hint" >&2
		return 1
	fi
	echo "[$tag] installing Debian's $package package" >&2
	log="$(mktemp -t "ltx-$package-install.XXXXXX.log")"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package"; } >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		echo "[$tag] ERROR: apt-get could not install $package (log: $log)" >&2
		return 1
	}
	rm -f "$log"
	echo "[$tag] installed in $((SECONDS - started)) s" >&2
}
