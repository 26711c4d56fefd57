#!/bin/sh
# The page's JavaScript unit tests (node --test web/test/), after checking that the colour
# fixtures they compare against are still what this build's CLI makes (so color.js is held
# to the current src/color/color.c, not to an old copy of it). Skips without Node.js >= 18.
set -eu
: "${MANDEL:?}" "${SOURCE:?}"
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || { echo "SKIP: node $major is older than 18"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
sh "$SOURCE/web/test/fixtures/make-fixtures.sh" "$MANDEL"
for f in *.npy *.ppm; do
    cmp -s "$f" "$SOURCE/web/test/fixtures/$f" ||
        { echo "web/test/fixtures/$f differs from what the CLI makes now: rerun make-fixtures.sh"; exit 1; }
done
cd "$SOURCE"
node --test web/test/
