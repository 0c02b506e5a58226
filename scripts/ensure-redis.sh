#!/usr/bin/env bash
# Makes sure a Redis server binary is available (for the queue-mode test: n8n's Bull queue and pub/sub).
# Installs Debian's redis-server package with apt-get when missing and we are root; prints the
# binary's path. Starts nothing: scripts/test-queue.sh starts a throwaway server on a free port.
set -euo pipefail
# shellcheck source=scripts/apt-package.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-package.sh"

REDIS_BIN="${LTX_REDIS_SERVER:-$(command -v redis-server || true)}"

if [ -z "$REDIS_BIN" ] || [ ! -x "$REDIS_BIN" ]; then
	# The package's own service is not used (no systemd here; its init script may try to start one on 6379).
	ltx_apt_install redis redis-server \
		"redis-server is missing. Install Debian's redis-server package (sudo apt-get install -y redis-server) or set LTX_REDIS_SERVER to a redis-server binary." ||
		exit 1
	REDIS_BIN="$(command -v redis-server)"
fi
echo "$REDIS_BIN"
