#!/usr/bin/env bash
# Source this file: puts Node 24 first on PATH: the running Node when it is 24 or newer, else Node 24 from
# the npm package for this machine (scripts/node-runtime.sh).
# The machines ship Node 20; n8n 2.x and isolated-vm need Node >= 24. Cached outside the clone.
# shellcheck source=scripts/node-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/node-runtime.sh"
_ltx_node_dir="$(ltx_node_dir 24)" || return 1 2>/dev/null || exit 1
export PATH="$_ltx_node_dir/bin:$PATH"
# Native addons (isolated-vm, sqlite3) must compile against Node 24's headers, not the machine's Node 20
# (these machines' ~/.npmrc says nodedir=/usr). npm 11 warns "Unknown env config nodedir"; node-gyp still reads it.
export npm_config_nodedir="$_ltx_node_dir"
# The clone's .npmrc heading tells plain-npm users on an older Node to run `npm run setup`; not needed here.
export npm_config_heading=npm
unset _ltx_node_dir
