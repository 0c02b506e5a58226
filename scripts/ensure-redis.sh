#!/usr/bin/env bash
# Makes sure a Redis server binary is available (for the queue-mode test: n8n's Bull queue and pub/sub).
# Installs Debian's redis-server package with apt-get when missing and we are root; prints the
# binary's path. Starts nothing: scripts/test-queue.sh starts a throwaway server on a free port.
set -euo pipefail

REDIS_BIN="${LTX_REDIS_SERVER:-$(command -v redis-server || true)}"

if [ -z "$REDIS_BIN" ] || [ ! -x "$REDIS_BIN" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "[redis] redis-server is missing. Install Debian's redis-server package (sudo apt-get install -y redis-server) or set LTX_REDIS_SERVER to a redis-server binary." >&2
		exit 1
	fi
	echo "[redis] installing Debian's redis-server package" >&2
	started=$SECONDS
	log="$(mktemp -t ltx-redis-install.XXXXXX.log)"
	export DEBIAN_FRONTEND=noninteractive
	# The package's own service is not used (no systemd here; its init script may try to start one on 6379).
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server; } >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		echo "[redis] ERROR: apt-get could not install redis-server (log: $log)" >&2
		exit 1
	}
	rm -f "$log"
	REDIS_BIN="$(command -v redis-server)"
	echo "[redis] installed in $((SECONDS - started)) s" >&2
fi
echo "$REDIS_BIN"
