#!/usr/bin/env bash
# Queue-mode end-to-end test (npm run test:queue): a real n8n 2.41.1 main process and one
# `n8n worker`, sharing a throwaway Redis (Bull queue, pub/sub) and a throwaway PostgreSQL
# (workflows, executions and, queue mode's default, binary data), against the Leonardo emulator.
#   bash scripts/test-queue.sh [jest args]
# Installs what is missing first: Node 24 and n8n into the cache, Debian's redis-server and
# postgresql. Redis and PostgreSQL listen on free ports on 127.0.0.1 and are stopped and deleted
# at the end, however the test ends. LTX_QUEUE_DB=sqlite runs the same test on SQLite instead
# (n8n warns that this is not officially supported). LTX_QUEUE_KEEP_LOGS=1 keeps the logs of a
# passing run too (a failed run keeps them unless CI is set).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A fresh or stale clone gets its dev dependencies first (under Node 24).
bash scripts/setup.sh --if-needed

started=$SECONDS
log() { printf '[test-queue] %s\n' "$*" >&2; }

# shellcheck source=scripts/n8n-runtime.sh
source scripts/n8n-runtime.sh
# shellcheck source=scripts/registry-runtime.sh
source scripts/registry-runtime.sh
# The run packs dist/ and installs it through n8n's installer (test/e2e/installed-package.ts).
npm run --silent build

db="${LTX_QUEUE_DB:-postgresdb}"
case "$db" in
	postgresdb | sqlite) ;;
	*)
		log "LTX_QUEUE_DB must be postgresdb or sqlite, not '$db'"
		exit 2
		;;
esac

redis_bin="$(bash scripts/ensure-redis.sh)"
[ "$db" = postgresdb ] && pg_bin_dir="$(bash scripts/ensure-postgres.sh)"

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/ltx-queue.XXXXXX")"
# PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach its folder.
chmod 755 "$run_dir"
redis_pid=""
pg_data=""

as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Processes of this run that outlived jest (it leaves n8n, its task runners and the emulator behind
# when it is interrupted, since they run in their own process groups): found by the marker variable
# only jest and its descendants carry.
kill_leftovers() {
	local environ pid
	for environ in /proc/[0-9]*/environ; do
		pid="${environ#/proc/}"
		pid="${pid%/environ}"
		if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "LTX_QUEUE_RUN=$run_dir"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	kill_leftovers
	if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
		as_postgres "$pg_bin_dir/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
		kill "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
	fi
	if [ "$status" -ne 0 ] && [ -n "${CI:-}" ]; then
		# CI deletes the folder: show the end of n8n's logs instead.
		for file in "$run_dir"/*.log; do
			[ -f "$file" ] || continue
			printf '\n--- last lines of %s ---\n' "$(basename "$file")" >&2
			tail -n 60 "$file" >&2
		done
	fi
	if { [ "$status" -ne 0 ] && [ -z "${CI:-}" ]; } || [ -n "${LTX_QUEUE_KEEP_LOGS:-}" ]; then
		# Keep the logs (n8n main and worker, Redis, PostgreSQL) of a failed run, or when asked to.
		log "logs kept in $run_dir"
	else
		rm -rf "$run_dir"
	fi
	log "finished in $((SECONDS - started)) s (exit $status)"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_for_port() {
	local port="$1" what="$2" pid="${3:-}" deadline=$((SECONDS + 30))
	until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			log "$what exited during start-up"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "$what did not listen on 127.0.0.1:$port within 30 s"
			return 1
		fi
		sleep 0.1
	done
}

# --- Redis: n8n's Bull queue and pub/sub; in memory only, loopback only.
redis_port="$(free_port)"
"$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$run_dir" --logfile "$run_dir/redis.log" &
redis_pid=$!
wait_for_port "$redis_port" "redis-server" "$redis_pid" || { cat "$run_dir/redis.log" >&2; exit 1; }
export LTX_QUEUE_REDIS_HOST=127.0.0.1 LTX_QUEUE_REDIS_PORT="$redis_port"
log "redis $("$redis_bin" --version | grep -o 'v=[0-9.]*' | cut -c3-) on 127.0.0.1:$redis_port"

# --- PostgreSQL: a throwaway cluster owned by `postgres`, trust auth on loopback only,
# durability off (fsync) since it is deleted at the end.
export LTX_QUEUE_DB="$db"
# The test copies n8n's main and worker logs here; kept when the run fails.
export LTX_QUEUE_LOG_DIR="$run_dir"
if [ "$db" = postgresdb ]; then
	pg_port="$(free_port)"
	mkdir -p "$run_dir/pg"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$run_dir/pg"
	pg_data="$run_dir/pg/data"
	as_postgres "$pg_bin_dir/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync \
		>"$run_dir/pg/initdb.log" 2>&1 || { cat "$run_dir/pg/initdb.log" >&2; exit 1; }
	as_postgres "$pg_bin_dir/pg_ctl" -D "$pg_data" -l "$run_dir/pg/server.log" -w -t 30 \
		-o "-p $pg_port -c listen_addresses=127.0.0.1 -k $run_dir/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || { cat "$run_dir/pg/server.log" >&2; exit 1; }
	"$pg_bin_dir/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres n8n
	export LTX_QUEUE_PG_HOST=127.0.0.1 LTX_QUEUE_PG_PORT="$pg_port" LTX_QUEUE_PG_USER=postgres LTX_QUEUE_PG_DATABASE=n8n
	log "postgresql $("$pg_bin_dir/postgres" --version | grep -o '[0-9][0-9.]*' | head -n 1) on 127.0.0.1:$pg_port"
fi

log "services ready after $((SECONDS - started)) s; running the queue-mode tests"
LTX_QUEUE_RUN="$run_dir" npx jest -c test/queue/jest.config.js "$@"
