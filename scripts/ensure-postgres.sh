#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres) and the unprivileged `postgres`
# user exist (for the queue-mode test: n8n's database shared by main and worker). Installs Debian's
# postgresql package with apt-get when missing and we are root; prints the folder of the binaries.
# Starts nothing: scripts/test-queue.sh starts a throwaway cluster on a free port.
set -euo pipefail
# shellcheck source=scripts/apt-package.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-package.sh"

find_bin_dir() {
	if [ -n "${LTX_PG_BIN_DIR:-}" ]; then
		echo "$LTX_PG_BIN_DIR"
		return
	fi
	# Debian keeps each major version's server binaries in /usr/lib/postgresql/<major>/bin.
	find /usr/lib/postgresql -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname
}

bin_dir="$(find_bin_dir)"
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/initdb" ] || [ ! -x "$bin_dir/pg_ctl" ]; then
	# The package's own cluster (15/main on 5432) is not used; the test starts its own.
	ltx_apt_install postgres postgresql \
		"PostgreSQL server binaries are missing. Install Debian's postgresql package (sudo apt-get install -y postgresql) or set LTX_PG_BIN_DIR to the folder holding initdb and pg_ctl." ||
		exit 1
	# Debian's package creates a cluster `main` and may start it on 5432: stop what it started.
	if command -v pg_lsclusters >/dev/null; then
		pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1, $2 }' | while read -r version cluster; do
			pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
		done
	fi
	bin_dir="$(find_bin_dir)"
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
	# PostgreSQL refuses to run as root; Debian's package creates this user, a manual install may not.
	useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
echo "$bin_dir"
