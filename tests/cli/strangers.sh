#!/bin/sh
# Strangers' pictures: a PNG, JPEG or .npy whose comment was crafted. --from and
# 'mandel colour' take only options that describe a picture from it, in any spelling
# getopt_long accepts, and refuse the whole comment otherwise: exit 1, one stderr line
# naming the option, and no file created anywhere. A comment of a 100,000-digit centre
# survives every format; 'mandel info' shows control characters escaped. The crafted files
# come from tests/cli/craft_comment.py (python3's standard library only; without python3
# the test exits 77, which ctest reports as Skipped).
#   MANDEL=path/to/mandel SOURCE=path/to/repository tests/cli/strangers.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the repository}"
PY=/usr/bin/python3
if ! [ -x $PY ]; then
    echo "strangers: python3 is not installed: skipped"
    exit 77
fi
CRAFT="$PY $SOURCE/tests/cli/craft_comment.py"
dir=$(mktemp -d /tmp/mandel-strangers-XXXXXX)
trap 'rm -rf "$dir"' EXIT
in=$dir/in      # the crafted files (and a gradient file a comment names)
work=$dir/work  # where mandel runs: must stay empty
target=$dir/t   # where the crafted paths point: must stay empty
mkdir "$in" "$work" "$target"
failed=0 passed=0

check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}

printf '0 #000000\n1 #ffffff\n' >"$in/grad.txt"
"$MANDEL" render -q -s 8x8 -o "$in/base.jpg"

# craft KIND NAME: $in/NAME.KIND with the comment in $in/comment
craft() {
    if [ "$1" = jpg ]; then
        $CRAFT jpg "$in/$2.jpg" "$in/comment" "$in/base.jpg"
    else
        $CRAFT "$1" "$in/$2.$1" "$in/comment"
    fi
}

# refused 'GLOB' COMMENT: for each format, a file whose comment is COMMENT is refused by
# --from (and the .npy by 'mandel colour') with exit 1 and one line
# "mandel: --from 'FILE': GLOB", and nothing appears in $work or $target.
refused() {
    glob=$1
    printf '%s' "$2" >"$in/comment"
    for kind in png jpg npy; do
        craft $kind crafted
        for how in render colour; do
            [ $how = colour ] && [ $kind != npy ] && continue
            if [ $how = render ]; then
                (cd "$work" && "$MANDEL" render -q --from "$in/crafted.$kind" -o out.png) \
                    >"$dir/out" 2>"$dir/err"
            else
                (cd "$work" && "$MANDEL" colour "$in/crafted.$kind" -q -o out.png) \
                    >"$dir/out" 2>"$dir/err"
            fi
            got=$?
            err=$(cat "$dir/err")
            ok=1
            [ $got -eq 1 ] || ok=0
            [ "$(wc -l <"$dir/err")" -eq 1 ] || ok=0
            case "$err" in "mandel: --from '$in/crafted.$kind': "$glob) ;; *) ok=0 ;; esac
            [ -z "$(ls -A "$work" "$target" | grep -v ':$' | grep -v '^$')" ] || ok=0
            if [ $ok -eq 1 ]; then
                passed=$((passed + 1))
            else
                failed=$((failed + 1))
                echo "FAIL: $how $kind comment: $2"
                echo "  exit $got (want 1); stderr: $err"
                echo "  want: mandel: --from '$in/crafted.$kind': $glob"
                ls -A "$work" "$target"
            fi
            rm -rf "${work:?}"/* "${target:?}"/*
        done
    done
}

V="mandel render -c -0.5,0 -r 1.5 -s 8x8 -i 50"
NOT="; a picture may carry only view, formula, colouring, size, --aa, --npy, --guess and --exact options"
# The issue's example, and each option that names a path or sets up the machine, in every
# spelling getopt_long takes: long, short, --opt=value, abbreviations, bundles, quotes.
refused "refused: its comment holds --save-location$NOT" \
    "mandel render --save-location $target/x.kfr -o $target/y.png"
refused "refused: its comment holds --output$NOT" "$V -o $target/y.png"
refused "refused: its comment holds --output$NOT" "$V -o$target/y.png"
refused "refused: its comment holds --output$NOT" "$V --output $target/y.png"
refused "refused: its comment holds --output$NOT" "$V --output=$target/y.png"
refused "refused: its comment holds --output$NOT" "$V --out=$target/y.png"
refused "refused: its comment holds --output$NOT" "$V --ou $target/y.png"
refused "refused: its comment holds --output$NOT" "$V '-o' '$target/y.png'"
refused "refused: its comment holds --output$NOT" "$V \"--output\" \"$target/y.png\""
refused "refused: its comment holds --output$NOT" "$V -'o' $target/y.png"
refused "refused: its comment holds --output$NOT" "$V \\-o $target/y.png"
refused "refused: its comment holds --output$NOT" "$V '--out'=$target/y.png"
refused "refused: its comment holds --quiet$NOT" "$V -qo $target/y.png"
refused "refused: its comment holds --save-location$NOT" "$V --save=$target/x.kfr"
refused "refused: its comment holds --save-location$NOT" "$V --save-loc '$target/x y.kfr'"
refused "refused: its comment holds --location$NOT" "mandel render --location $in/x.kfr"
refused "refused: its comment holds --location$NOT" "mandel render --loc=$in/x.kfr"
refused "refused: its comment holds --palette '$in/grad.txt', not a built-in palette$NOT" \
    "$V --palette $in/grad.txt"
refused "refused: its comment holds --palette '$in/grad.txt', not a built-in palette$NOT" \
    "$V -p$in/grad.txt"
refused "refused: its comment holds --palette '$in/grad.txt', not a built-in palette$NOT" \
    "$V --palette=$in/grad.txt"
refused "refused: its comment holds --threads$NOT" "$V --threads 2"
refused "refused: its comment holds --threads$NOT" "$V -t2"
refused "refused: its comment holds --threads$NOT" "$V --thr=2"
refused "refused: its comment holds --engine$NOT" "$V --engine mpfr"
refused "refused: its comment holds --engine$NOT" "$V --eng=mpfr"
refused "refused: its comment holds --isa$NOT" "$V --isa scalar"
refused "refused: its comment holds --help$NOT" "$V --help"
refused "refused: its comment holds --help$NOT" "$V -h"
refused "refused: its comment holds --help$NOT" "$V --he"
refused "refused: its comment holds --from$NOT" "$V --from $in/base.jpg"
refused "refused: its comment holds --from$NOT" "$V --fr=$in/base.jpg"
refused "refused: its comment holds --quiet$NOT" "$V --quiet"
refused "refused: its comment holds --stats$NOT" "$V --stats"
refused "refused: its comment holds --no-shortcuts$NOT" "$V --no-shortcuts"
refused "refused: its comment holds --quality$NOT" "$V --quality 50"
# Words that are not options, and options cut short.
refused "refused: its comment holds '-o', not an option$NOT" "$V -- -o $target/y.png"
refused "refused: its comment holds '$target/y.png', not an option$NOT" "$V $target/y.png"
refused "refused: its comment holds an unknown or ambiguous option '--nothing'$NOT" "$V --nothing"
refused "refused: its comment holds an unknown or ambiguous option '--c=0,0'$NOT" "$V --c=0,0"
refused "refused: its comment holds an option without its value '--size'$NOT" "$V --size"
# What a shell would read otherwise: refused before any option is looked at.
refused "its comment holds a character a shell would interpret *" "$V \$(touch $target/z)"
refused "its comment holds a character a shell would interpret *" "$V; touch $target/z"
refused "its comment holds a character a shell would interpret *" "$V > $target/z"
refused "its comment holds a \$ or \` that a shell would expand" "$V -p \"\$HOME\""
refused "its comment holds a ~ that a shell would expand" "$V -p ~/grad.txt"
refused "its comment holds an unterminated quote" "$V -p 'magma"
refused "its comment holds a control character" "$(printf "$V \033[2J")"
refused "its comment holds a backslash at the end" "$V \\"
refused "its comment holds bytes that are not UTF-8 text" "$(printf "$V \233")"
refused "its comment is not a mandel command" "mandel bench -o $target/y.png"
refused "its comment is not a mandel command" "rm -rf $target"

# A comment of picture options only, spelled any way getopt_long takes, is taken.
printf '%s' "mandel render --cent=-0.5,0 --rad '1.5' -s8x8 \"--iter\"=50 -pmagma --col=smooth" \
    >"$in/comment"
craft png fine
(cd "$work" && "$MANDEL" render -q --from "$in/fine.png" -o out.png)
check "a comment of picture options in other spellings is taken" test -s "$work/out.png"
"$MANDEL" render -q -c -0.5,0 -r 1.5 -s 8x8 -i 50 -p magma --color smooth -o "$dir/same.png"
check "and makes the picture they say" \
    sh -c "'$MANDEL' info '$work/out.png' | grep -q -- '--center -0.5,0 --radius 1.5 --size 8x8'"
rm -f "$work/out.png" "$dir/same.png"
# The user's own --from, abbreviated, would be ignored: refused instead.
(cd "$work" && "$MANDEL" render -q --fro "$in/fine.png" -o out.png) 2>"$dir/err"
check "--fro (the user's abbreviation) is a usage error" test $? -eq 2
check "and leaves no file" test -z "$(ls -A "$work")"

# mandel info shows a comment's control characters escaped, on one line.
printf 'mandel render \033[31mred\033[0m\nsecond line\t\177 \302\233' >"$in/comment"
for kind in png jpg npy; do
    craft $kind esc 2>/dev/null
done
# .npy headers are one line: numpy's own parser would stop at the newline; the PNG and
# JPEG carry it.
for kind in png jpg; do
    "$MANDEL" info "$in/esc.$kind" >"$dir/info"
    check "info $kind: exit 0" test $? -eq 0
    check "info $kind: one line" test "$(wc -l <"$dir/info")" -eq 1
    check "info $kind: no ESC, DEL or C1 byte" \
        test -z "$(tr -d '\n' <"$dir/info" | tr -d '\040-\176' | od -An -tx1 | tr -d ' \n')"
    check "info $kind: escaped" test "$(cat "$dir/info")" = \
        'mandel render \x1b[31mred\x1b[0m\nsecond line\t\x7f \xc2\x9b'
done

# Comments beyond the limit (1 MiB) are refused, never cut; a JPEG comment above 65533
# bytes spans several COM markers.
for kind in png jpg npy; do
    if [ $kind = jpg ]; then
        $CRAFT jpg-big "$in/big.jpg" 1048577 "$in/base.jpg"
    else
        $CRAFT $kind-big "$in/big.$kind" 1048577
    fi
    "$MANDEL" info "$in/big.$kind" >/dev/null 2>"$dir/err"
    check "a $kind comment of 1 MiB + 1 is refused" test $? -eq 1
    check "with its reason" grep -q "longer than 1048576 bytes" "$dir/err"
done
$CRAFT jpg-big "$in/max.jpg" 1048576 "$in/base.jpg"
check "a JPEG comment of 1 MiB in 17 COM markers reads back whole" \
    test "$("$MANDEL" info "$in/max.jpg" | wc -c)" -eq 1048577

# A centre of 100,000 digits a coordinate survives PNG, JPEG (4 COM markers) and .npy
# (version 2.0 header): --from makes the same file again.
$PY -c "
import random
random.seed(9)
d = lambda: ''.join(random.choice('0123456789') for _ in range(100000))
print('Re: -0.7436447860' + d()); print('Im: 0.1318252536' + d())
print('Zoom: 1e30'); print('Iterations: 200')" >"$in/deep.kfr"
for kind in png jpg npy; do
    "$MANDEL" render -q --location "$in/deep.kfr" -s 4x4 -o "$dir/deep.$kind"
    "$MANDEL" render -q --from "$dir/deep.$kind" -o "$dir/again.$kind"
    check "100,000-digit centre: --from remakes the $kind byte for byte" \
        cmp -s "$dir/deep.$kind" "$dir/again.$kind"
    "$MANDEL" info "$dir/deep.$kind" >"$dir/info.$kind"
    check "100,000-digit centre: the $kind comment holds every digit" \
        test "$(wc -c <"$dir/info.$kind")" -gt 200000
done
check "the three formats carry the same command" sh -c \
    "cmp -s '$dir/info.png' '$dir/info.jpg' && cmp -s '$dir/info.png' '$dir/info.npy'"
check "the JPEG's comment spans 4 COM markers" test "$($PY -c "
d = open('$dir/deep.jpg', 'rb').read(); print(d[:d.index(b'\xff\xda')].count(b'\xff\xfe'))")" = 4
check "the .npy is format version 2.0" test "$(od -An -tx1 -j6 -N2 "$dir/deep.npy")" = " 02 00"

echo "strangers: $passed passed, $failed failed"
[ $failed -eq 0 ]
