#!/bin/sh
# The browser test (browser.mjs) under Node.js >= 18; skips (77) without it.
set -eu
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || { echo "SKIP: node $major is older than 18"; exit 77; }
exec node "$(dirname "$0")/browser.mjs"
