#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for the browser test with playwright-core, which never
# downloads browsers). Installs it with apt-get when missing and we are root; prints its path.
set -euo pipefail
# shellcheck source=scripts/apt-package.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-package.sh"

CHROMIUM_BIN="${LTX_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM_BIN" ]; then
	ltx_apt_install chromium chromium \
		"$CHROMIUM_BIN is missing. Install Debian's chromium package (sudo apt-get install -y chromium) or set LTX_CHROMIUM to a Chromium binary." ||
		exit 1
fi
echo "$CHROMIUM_BIN"
