#!/bin/sh
# Every bad input gets one line on stderr naming the problem, the right exit code (2 usage,
# 1 runtime), and leaves no file behind: neither the output nor a temporary.
#   MANDEL=path/to/mandel tests/cli/bad_input.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
dir=$(mktemp -d /tmp/mandel-cli-XXXXXX)
trap 'rm -rf "$dir"' EXIT
failed=0 passed=0

# expect EXIT 'GLOB' ARGS...: run mandel ARGS, check exit code, that stderr is one line
# matching "mandel: GLOB", and that $dir is still empty.
expect() {
    want=$1 glob=$2
    shift 2
    (cd "$dir" && "$MANDEL" "$@") >"$dir.out" 2>"$dir.err"
    got=$?
    err=$(cat "$dir.err")
    lines=$(wc -l <"$dir.err")
    left=$(ls -A "$dir")
    ok=1
    [ "$got" -eq "$want" ] || ok=0
    [ "$lines" -eq 1 ] || ok=0
    case "$err" in "mandel: "$glob) ;; *) ok=0 ;; esac
    [ -z "$left" ] || ok=0
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: mandel $*"
        echo "  exit $got (want $want); stderr ($lines lines): $err"
        echo "  want: mandel: $glob"
        [ -z "$left" ] || echo "  left behind: $left"
    fi
    rm -rf "${dir:?}"/* "$dir".out "$dir".err
}

R="render -q"
# Sizes
expect 2 "--size '0x400': width must be 1..65535" $R -s 0x400 -o a.png
expect 2 "--size '400x0': height must be 1..65535" $R -s 400x0 -o a.png
expect 2 "--size '-4x4': width must be 1..65535" $R -s -4x4 -o a.png
expect 2 "--size '400': expected WIDTHxHEIGHT" $R -s 400 -o a.png
expect 2 "--size '400x400x2': expected WIDTHxHEIGHT" $R -s 400x400x2 -o a.png
expect 2 "--size '70000x10': width must be 1..65535" $R -s 70000x10 -o a.png
expect 2 "--size '10x99999999999999999999': height must be 1..65535" $R -s 10x99999999999999999999 -o a.png
expect 2 "--size '4 x4': width must be 1..65535" $R -s "4 x4" -o a.png
# A picture whose field would not fit: refused with the bytes needed, before any file.
expect 1 "a 65535x65535 picture with palette 'viridis' needs * bytes of memory; the limit is *" $R -s 65535x65535 -p viridis -o a.png
# A reference orbit that never escapes (c = -1) of 2^32 - 1 steps: refused at once with the
# bytes it would need (MANDEL_OPT_MAX_MEMORY), never grown until the OOM killer.
expect 1 "the reference orbit of 4294967295 steps needs 103079215104 bytes, limit is *" $R -c -1,0 -z 1e20 -i 4294967295 -s 2x2 -o a.png
# Iterations
expect 2 "--iterations '0': must be 1..4294967295" $R -i 0 -o a.png
expect 2 "--iterations '4294967296': must be 1..4294967295" $R -i 4294967296 -o a.png
expect 2 "--iterations '1e3': not a whole number" $R -i 1e3 -o a.png
expect 2 "--iterations '100abc': not a whole number" $R -i 100abc -o a.png
expect 2 "--iterations '': not a whole number" $R -i "" -o a.png
expect 2 "--iterations '-5': not a whole number" $R -i -5 -o a.png
# Numbers in views
expect 2 "--center 'nan,0': 'nan' is not finite" $R -c nan,0 -o a.png
expect 2 "--center '0,inf': 'inf' is not finite" $R -c 0,inf -o a.png
expect 2 "--center '0': expected 2 numbers separated by a comma" $R -c 0 -o a.png
expect 2 "--center '0,1,2': expected 2 numbers separated by a comma" $R -c 0,1,2 -o a.png
expect 2 "--center '0x,1': '0x' is not a number" $R -c 0x,1 -o a.png
expect 2 "--center '0x1p3,0': '0x1p3' is not a number" $R -c 0x1p3,0 -o a.png
expect 2 "--palette-period '0x10': not a number" $R --palette-period 0x10 -o a.png
expect 2 "--radius '0': must be above 0" $R -r 0 -o a.png
expect 2 "--radius '-1': must be above 0" $R -r -1 -o a.png
expect 2 "view is too wide (radius 1e999)" $R -r 1e999 -o a.png
expect 2 "--radius '0.000': must be above 0" $R -r 0.000 -o a.png
expect 2 "--radius '1e': not a number" $R -r 1e -o a.png
expect 2 "--radius '2 ': not a number" $R -r "2 " -o a.png
expect 2 "--zoom 'abc': not a number" $R -z abc -o a.png
expect 2 "--zoom '0': must be above 0" $R -z 0 -o a.png
expect 2 "view is too wide (radius 2.0*e+320)" $R -z 1e-320 -o a.png
# Numbers beyond MPFR's exponent range are numbers, too deep or too large: said so, with the
# limit (once "not a number above 0")
expect 1 "zoom '1e999999999' is deeper than this build supports (about 1e20201762 for a view 4 pixels high)" $R -s 4x4 -z 1e999999999 -o a.png
expect 1 "the view is deeper than this build supports: pixels of 2^-67108804 need 67108868 bits of precision, the limit is 2^26 (a zoom of about 1e20201762 at this height)" $R -s 4x4 -z 1e20201763 -o a.png
expect 2 "zoom '1e-999999999' is too small: a view reaches at most 1e300" $R -z 1e-999999999 -o a.png
expect 2 "radius '1e999999999' is too large: a view reaches at most 1e300" $R -r 1e999999999 -o a.png
# Exponents of any length are numbers: the library says how deep is too deep.
expect 1 "zoom '1e99999999999' is deeper than this build supports (about 1e20201762 for a view 4 pixels high)" $R -s 4x4 -z 1e99999999999 -o a.png
expect 1 "radius '1e-99999999999999' is deeper than this build supports (about 1e-20201761 for a view 4 pixels high)" $R -s 4x4 -r 1e-99999999999999 -o a.png
expect 2 "zoom '1e-99999999999' is too small: a view reaches at most 1e300" $R -s 4x4 -z 1e-99999999999 -o a.png
expect 1 "radius '1e-999999999' is deeper than this build supports (about 1e-20201761 for a view 4 pixels high)" $R -s 4x4 -r 1e-999999999 -o a.png
expect 2 "--center '1e999999999,0': '1e999999999' is too large (a double ends at 1.8e308)" $R -c 1e999999999,0 -o a.png
expect 2 "--center '0,-1e400': '-1e400' is too large (a double ends at 1.8e308)" $R -c 0,-1e400 -o a.png
expect 2 "view reaches beyond 1e300 (centre 1e+305,0, radius 1.25)" $R -c 1e305,0 -o a.png
expect 2 "--engine 'gpu': unknown engine (auto, double, perturb, mpfr)" $R --engine gpu -o a.png
expect 1 "--location 'nothere.kfr': *" $R --location nothere.kfr -o a.png
printf 'Re: 0.1\r\nIm: x\r\nZoom: 1e5\r\nIterations: 100\r\n' >"$dir.kfr"
expect 1 "--location '$dir.kfr': line 2: *" $R --location "$dir.kfr" -o a.png
rm -f "$dir.kfr"
expect 2 "--location gives the view: it cannot be combined with --bounds, --center, --radius or --zoom" $R --location x.kfr -c 0,0 -o a.png
expect 2 "--save-location '': empty file name" $R --save-location "" -o a.png
expect 1 "--save-location: cannot create '/nonexistent/x.kfr': No such file or directory" $R -s 8x8 --save-location /nonexistent/x.kfr -o a.png
expect 2 "beyond double precision Julia sets cannot be rendered yet" $R -c -0.75,0.1 -z 1e20 --julia=-0.8,0.156 -o a.png
expect 2 "--color 'rainbow': unknown mode (smooth, count, histogram, log, distance)" $R --color rainbow -o a.png
expect 2 "--formula 'newton': unknown formula (mandelbrot, burning-ship, tricorn)" $R --formula newton -o a.png
expect 2 "--power '1': must be 2..64" $R --power 1 -o a.png
expect 2 "--julia '0.3': expected 2 numbers separated by a comma" $R --julia 0.3 -o a.png
expect 2 "--palette-period '0': must be above 0" $R --palette-period 0 -o a.png
expect 2 "--palette-offset '2': must be 0..1" $R --palette-offset 2 -o a.png
expect 2 "--npy 'rgb': unknown data (counts, smooth, distance)" $R --npy rgb -o a.npy
expect 2 "--npy smooth: applies to .npy output only" $R --npy smooth -o a.png
expect 2 "--color distance: distance estimates exist for the mandelbrot formula only" $R --color distance --formula tricorn -o a.png
expect 2 "--radius and --zoom say the same thing; give one" $R -r 1 -z 2 -o a.png
expect 2 "--bounds '1,1,-1,1': XMIN must be below XMAX" $R --bounds 1,1,-1,1 -o a.png
expect 2 "--bounds '-1,1,1,-1': YMIN must be below YMAX" $R --bounds -1,1,1,-1 -o a.png
expect 2 "--bounds '-1,1,-1': expected 4 numbers separated by commas" $R --bounds -1,1,-1 -o a.png
expect 2 "--bounds '-1,1,-1,nan': 'nan' is not finite" $R --bounds -1,1,-1,nan -o a.png
expect 2 "bounds are too wide" $R --bounds -1e308,1e308,-1,1 -o a.png
expect 2 "--bounds cannot be combined with --center, --radius or --zoom" $R --bounds -1,1,-1,1 -c 0,0 -o a.png
# Machine
expect 2 "--threads '0': must be 1..1024" $R -t 0 -o a.png
expect 2 "--threads '1025': must be 1..1024" $R -t 1025 -o a.png
expect 2 "--isa 'mmx': unknown kernel*" $R --isa mmx -o a.png
# Palettes, formats, files
expect 2 "--palette 'nosuch': no such palette (see 'mandel palettes') nor gradient file" $R -p nosuch -o a.png
printf '0 #000000\n0.5 #ff\n1 #ffffff\n' >"$dir.grad"
expect 1 "--palette '$dir.grad': gradient line 2: expected a colour #rrggbb" $R -p "$dir.grad" -o a.png
printf '0 #000000\n' >"$dir.grad"
expect 1 "--palette '$dir.grad': a gradient needs at least 2 stops, not 1" $R -p "$dir.grad" -o a.png
rm -f "$dir.grad"
expect 2 "--interior 'red': expected a colour #rrggbb" $R --interior red -o a.png
expect 2 "--aa '0': must be 1..8" $R --aa 0 -o a.png
expect 2 "--aa '9': must be 1..8" $R --aa 9 -o a.png
expect 2 "--aa 2: anti-aliasing applies to colour and grey images, not to .pbm or .npy" $R --aa 2 -o a.pbm
expect 2 "--interior '#12345': expected a colour #rrggbb" $R --interior '#12345' -o a.png
expect 2 "--quality '0': must be 1..100" $R --quality 0 -o a.jpg
expect 2 "-o 'a.gif': unknown extension*" $R -o a.gif
expect 2 "-o 'noext': unknown extension*" $R -o noext
expect 2 "--output '': empty file name" $R -o ""
expect 2 "no output file: give -o FILE*" $R
expect 2 "--size '65535x10': JPEG images are at most 65500 a side" $R -s 65535x10 -o a.jpg
expect 1 "cannot create 'missing/a.png': No such file or directory" $R -s 8x8 -o missing/a.png
mkdir "$dir.png"
expect 1 "cannot write '$dir.png': it is a directory" $R -s 8x8 -o "$dir.png"
rmdir "$dir.png"
expect 1 "cannot create '/proc/a.png': *" $R -s 8x8 -o /proc/a.png
# Pictures to start from
expect 1 "--from: cannot open 'nothere.png': No such file or directory" $R --from nothere.png -o a.png
expect 1 "--from: 'x.pbm': only PNG, JPEG and .npy files carry a comment" $R --from x.pbm -o a.png
echo "not a png" >"$dir.png"
expect 1 "--from: '$dir.png' is not a readable PNG file" $R --from "$dir.png" -o a.png
expect 1 "'$dir.png' is not a readable PNG file" info "$dir.png"
rm -f "$dir.png"
expect 2 "info: give one or more PNG, JPEG or .npy files" info
# Recolouring
expect 2 "colour: give the data file first (see 'mandel colour --help')" colour
expect 1 "--from: cannot open 'nothere.npy': No such file or directory" colour nothere.npy -o a.png
"$MANDEL" render -q -s 20x10 -o "$dir.npy"
expect 2 "'$dir.npy' holds 20x10 values, not the 30x10 of --size" colour "$dir.npy" -s 30x10 -o a.png
expect 2 "'$dir.npy' holds iteration values: colour it with --color smooth, count, histogram or log" colour "$dir.npy" --color distance -o a.png
expect 2 "--aa: saved data cannot be anti-aliased" colour "$dir.npy" --aa 2 -o a.png
printf '\223NUMPY\001\000\010\000{bad}   \n' >"$dir.npy"
expect 1 "--from: .npy header: expected {'descr': ..." colour "$dir.npy" -o a.png
rm -f "$dir.npy"
# Syntax
expect 2 "unknown option '--frobnicate' (see 'mandel render --help')" $R --frobnicate -o a.png
expect 2 "unexpected argument 'extra' (see 'mandel render --help')" $R -o a.png extra
expect 2 "--size: missing value (see 'mandel render --help')" $R -o a.png --size
expect 2 "unknown command 'paint' (see 'mandel --help')" paint
expect 2 "unknown option '--frob' (see 'mandel --help')" --frob
expect 2 "palettes: unexpected argument 'x'" palettes x
expect 2 "--scene 'nosuch': unknown scene*" bench --scene nosuch
expect 2 "--repeat '0': must be 1..1000" bench --repeat 0

echo "bad_input: $passed passed, $failed failed"
[ $failed -eq 0 ]
