#!/usr/bin/env bash
# Source this file: gives the calling script a run folder and a marker that every process it starts
# inherits, so that whatever outlives it (n8n and its task runners and the emulator run in their own
# process groups; an interrupted jest leaves them behind) can be found and stopped at the end.
#   run_scope_begin NAME   creates $LTX_RUN_DIR, exports LTX_RUN_MARKER=$LTX_RUN_DIR and TMPDIR inside it
#   run_scope_end          kills the marked processes (by PID) and deletes the run folder

run_scope_begin() {
	LTX_RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
	export LTX_RUN_DIR
	export LTX_RUN_MARKER="$LTX_RUN_DIR"
	# Temporary folders of the tests (n8n user folders, scratch files, Chromium's profile) land here too.
	mkdir -p "$LTX_RUN_DIR/tmp"
	export TMPDIR="$LTX_RUN_DIR/tmp"
}

run_scope_end() {
	local environ pid
	[ -n "${LTX_RUN_MARKER:-}" ] || return 0
	for environ in /proc/[0-9]*/environ; do
		pid="${environ#/proc/}"
		pid="${pid%/environ}"
		[ "$pid" = "$$" ] && continue
		if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "LTX_RUN_MARKER=$LTX_RUN_MARKER"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$LTX_RUN_DIR"
}
