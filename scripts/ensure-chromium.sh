#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for the browser test with playwright-core, which never
# downloads browsers). Installs it with apt-get when missing and we are root; prints its path.
set -euo pipefail

CHROMIUM_BIN="${LTX_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM_BIN" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "[chromium] $CHROMIUM_BIN is missing. Install Debian's chromium package (sudo apt-get install -y chromium) or set LTX_CHROMIUM to a Chromium binary." >&2
		exit 1
	fi
	echo "[chromium] installing Debian's chromium package (about 1 minute)" >&2
	started=$SECONDS
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >/tmp/ltx-chromium-install.log 2>&1 || {
		tail -n 20 /tmp/ltx-chromium-install.log >&2
		echo "[chromium] ERROR: apt-get could not install chromium (log: /tmp/ltx-chromium-install.log)" >&2
		exit 1
	}
	echo "[chromium] installed in $((SECONDS - started)) s" >&2
fi
echo "$CHROMIUM_BIN"
