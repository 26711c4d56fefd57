#!/bin/sh
# man/mandel.1 in step with the program:
#   manpage.sh sync     every long option of every --help is in mandel.1 and vice versa;
#                       every option in the program's getopt tables is in a --help; each
#                       --help has a usage line and the exit status
#   manpage.sh render   groff renders mandel.1 without a warning, man -l reads it
#                       (exits 77, Skipped, without groff; scripts/install-deps.sh installs it)
#   MANDEL=path/to/mandel SOURCE=source-dir tests/cli/manpage.sh sync|render
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the source directory}"
page=$SOURCE/man/mandel.1
dir=$(mktemp -d /tmp/mandel-man-XXXXXX)
trap 'rm -rf "$dir"' EXIT
failed=0 passed=0

check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
long_options() { grep -o -e '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u; }

case ${1:-} in
sync)
    : >"$dir/help.txt"
    for cmd in "" render colour info palettes bench zoom; do
        # shellcheck disable=SC2086 # the empty command is no word
        "$MANDEL" $cmd --help >"$dir/one.txt" 2>&1
        check "mandel $cmd --help exits 0" test $? -eq 0
        check "mandel $cmd --help has a usage line" grep -q '^Usage: mandel' "$dir/one.txt"
        check "mandel $cmd --help gives the exit status" grep -q 'Exit status' "$dir/one.txt"
        cat "$dir/one.txt" >>"$dir/help.txt"
    done
    # mandel serve exists when libmicrohttpd was found: its options count as documented
    # in --help then, and as the getopt table says otherwise.
    if "$MANDEL" serve --help >"$dir/one.txt" 2>&1; then
        check "mandel serve --help has a usage line" grep -q '^Usage: mandel' "$dir/one.txt"
        check "mandel serve --help gives the exit status" grep -q 'Exit status' "$dir/one.txt"
        cat "$dir/one.txt" >>"$dir/help.txt"
    else
        sed -n 's/.*{"\([a-z][a-z0-9-]*\)", *[a-z_]*_argument.*/--\1/p' "$SOURCE"/server/*.c \
            >>"$dir/help.txt"
    fi
    long_options <"$dir/help.txt" >"$dir/help.opts"
    # The page's own text: '\-' is a hyphen there, '\f?' a font change.
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e '/^\.\\"/d' "$page" | long_options >"$dir/man.opts"
    only_help=$(comm -23 "$dir/help.opts" "$dir/man.opts" | tr '\n' ' ')
    only_man=$(comm -13 "$dir/help.opts" "$dir/man.opts" | tr '\n' ' ')
    check "options in --help but not in mandel.1: $only_help" test -z "$only_help"
    check "options in mandel.1 but in no --help: $only_man" test -z "$only_man"
    # The getopt tables: an option the program takes and no --help tells of is a secret.
    sed -n 's/.*{"\([a-z][a-z0-9-]*\)", *[a-z_]*_argument.*/--\1/p' "$SOURCE"/cli/*.c \
        "$SOURCE"/server/*.c | sort -u >"$dir/getopt.opts"
    check "getopt tables found" test -s "$dir/getopt.opts"
    secret=$(comm -23 "$dir/getopt.opts" "$dir/help.opts" | tr '\n' ' ')
    check "options the program takes but no --help lists: $secret" test -z "$secret"
    # And every option a --help lists is one the program takes (or a global one).
    ghost=$(comm -13 "$dir/getopt.opts" "$dir/help.opts" | grep -v -x -e --version | tr '\n' ' ')
    check "options a --help lists but the program does not take: $ghost" test -z "$ghost"
    ;;
render)
    if ! command -v groff >/dev/null 2>&1; then
        echo "SKIP: no groff (Debian: groff-base) to render mandel.1"
        exit 77
    fi
    groff -man -Tutf8 -ww -z "$page" 2>"$dir/warn.txt"
    check "groff renders mandel.1" test $? -eq 0
    check "groff has no warning: $(head -n 3 "$dir/warn.txt")" test ! -s "$dir/warn.txt"
    groff -man -Tutf8 "$page" 2>/dev/null | sed 's/.\x08//g' >"$dir/page.txt"
    for section in NAME SYNOPSIS DESCRIPTION "RENDER OPTIONS" "ZOOM OPTIONS" "EXIT STATUS" EXAMPLES; do
        check "mandel.1 has $section" grep -q "^$section" "$dir/page.txt"
    done
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=80 man -l "$page" 2>"$dir/man-warn.txt" >"$dir/man.txt"
        check "man -l reads mandel.1" grep -q "mandel render" "$dir/man.txt"
        check "man -l has no warning" test ! -s "$dir/man-warn.txt"
    fi
    ;;
*)
    echo "usage: manpage.sh sync|render" >&2
    exit 2
    ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
