#!/bin/sh
# cmake --install into a scratch prefix, then build the README's example against the
# installed header, library and pkg-config file (as another project would) and run it;
# also check the installed program runs and that the header compiles as C++.
#   BUILD=build-dir SOURCE=source-dir tests/cli/install.sh
set -eu
: "${BUILD:?}" "${SOURCE:?}"
prefix=$(mktemp -d /tmp/mandel-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$BUILD" --prefix "$prefix" >/dev/null
test -f "$prefix/include/mandel.h"
pc=$(find "$prefix" -name mandel.pc)
test -n "$pc"
export PKG_CONFIG_PATH=$(dirname "$pc")
# The .pc file carries the configured prefix; point it at the scratch one.
sed -i "s|^prefix=.*|prefix=$prefix|; s|^libdir=.*|libdir=$(dirname "$(dirname "$pc")")|; s|^includedir=.*|includedir=$prefix/include|" "$pc"
cd "$prefix"
cc -std=c11 -Wall -Werror ${EXTRA_CFLAGS:-} "$SOURCE/examples/tutorial.c" $(pkg-config --cflags --libs mandel) -o tutorial
LD_LIBRARY_PATH=$(dirname "$(dirname "$pc")") ./tutorial >out.txt
grep -q "count at the centre row, column 200: 1000" out.txt
test "$(head -c 4 tutorial.png | od -An -c | tr -d ' ')" = '211PNG'
LD_LIBRARY_PATH=$(dirname "$(dirname "$pc")") "$prefix/bin/mandel" --version | grep -q '^mandel '
if command -v c++ >/dev/null 2>&1; then
    printf '#include <mandel.h>\nint main() { return mandel_version_number() == MANDEL_VERSION_NUMBER ? 0 : 1; }\n' >cxx.cpp
    c++ -Wall -Werror ${EXTRA_CFLAGS:-} cxx.cpp $(pkg-config --cflags --libs mandel) -o cxx
    LD_LIBRARY_PATH=$(dirname "$(dirname "$pc")") ./cxx
fi
echo "install: 1 passed, 0 failed"
