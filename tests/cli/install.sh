#!/bin/sh
# cmake --install into a scratch prefix, then, as another project would:
#   install.sh c     build the README's example against the installed header, library and
#                    pkg-config file, run it, and run the installed program;
#   install.sh cxx   compile and run a C++ program that includes the installed header
#                    (exits 77, Skipped, where there is no C++ compiler).
#   BUILD=build-dir SOURCE=source-dir tests/cli/install.sh c|cxx
set -eu
: "${BUILD:?}" "${SOURCE:?}"
mode=${1:-}
case $mode in
c) ;;
cxx)
    if ! command -v c++ >/dev/null 2>&1; then
        echo "install: no C++ compiler (c++): the header-as-C++ check is skipped"
        exit 77
    fi
    ;;
*)
    echo "usage: install.sh c|cxx" >&2
    exit 2
    ;;
esac
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
libdir=$(dirname "$(dirname "$pc")")
if [ "$mode" = c ]; then
    cc -std=c11 -Wall -Werror ${EXTRA_CFLAGS:-} "$SOURCE/examples/tutorial.c" $(pkg-config --cflags --libs mandel) -o tutorial
    LD_LIBRARY_PATH=$libdir ./tutorial >out.txt
    grep -q "count at the centre row, column 200: 1000" out.txt
    test "$(head -c 4 tutorial.png | od -An -c | tr -d ' ')" = '211PNG'
    LD_LIBRARY_PATH=$libdir "$prefix/bin/mandel" --version | grep -q '^mandel '
    # 'man mandel' and bash completion work from the prefix.
    test -f "$prefix/share/man/man1/mandel.1"
    test -f "$prefix/share/bash-completion/completions/mandel"
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=80 man -M "$prefix/share/man" mandel 2>/dev/null | grep -q 'RENDER OPTIONS'
    fi
    echo "install: the example builds against the installed library and runs; mandel runs;"
    echo "install: mandel.1 and the bash completion are installed"
else
    printf '#include <mandel.h>\nint main() { return mandel_version_number() == MANDEL_VERSION_NUMBER ? 0 : 1; }\n' >cxx.cpp
    c++ -Wall -Werror ${EXTRA_CFLAGS:-} cxx.cpp $(pkg-config --cflags --libs mandel) -o cxx
    LD_LIBRARY_PATH=$libdir ./cxx
    echo "install: the installed header compiles and links as C++"
fi
