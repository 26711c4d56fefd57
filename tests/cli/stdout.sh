#!/bin/sh
# mandel render -o -: the picture on standard output, byte for byte the file -o FILE writes,
# in every format; --format overrides an extension; a closed pipe is one line and exit 1;
# with the progress bar drawn on a terminal, standard output still holds only the picture.
#   MANDEL=path/to/mandel tests/cli/stdout.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
harness=stdout
. "$(dirname "$0")/harness.sh"
lines() { wc -l <"$1" | tr -d ' '; }

# Every format: the bytes on standard output are the file's.
for f in png jpg ppm pgm pbm npy; do
    "$MANDEL" render -q -s 120x80 -i 200 -o file.$f
    "$MANDEL" render -q -s 120x80 -i 200 -o - --format $f >out.$f 2>err.txt
    check "-o - --format $f exits 0" test $? -eq 0
    check "-o - --format $f is the file's bytes" cmp -s file.$f out.$f
    check "-o - --format $f says nothing" test ! -s err.txt
done
check "--format jpeg is jpg" sh -c '"$1" render -q -s 120x80 -i 200 -o - --format JPEG |
                                    cmp -s - file.jpg' sh "$MANDEL"

# --format overrides the extension; no extension needed with it.
"$MANDEL" render -q -s 120x80 -i 200 -o x.dat --format png
check "--format png writes a PNG to x.dat" cmp -s x.dat file.png
"$MANDEL" render -q -s 120x80 -i 200 -o x.png --format ppm
check "--format ppm writes a PPM to x.png" cmp -s x.png file.ppm

# Usage errors: one line, exit 2, nothing written to standard output.
usage() { # usage DESCRIPTION WORD-IN-MESSAGE ARGS...
    what=$1 word=$2
    shift 2
    "$MANDEL" render -q -s 8x8 "$@" >out.bin 2>err.txt
    rc=$?
    check "$what: exit 2" test $rc -eq 2
    check "$what: one line" test "$(lines err.txt)" -eq 1
    check "$what: names $word" grep -q -e "$word" err.txt
    check "$what: no output" test ! -s out.bin
}
usage "-o - without --format" "--format png" -o -
usage "unknown --format" "unknown format" -o - --format gif
usage "--format with a dot" "unknown format" -o - --format .png
usage "--save-location -" "save-location" --save-location - -o x2.png
check "no x2.png" test ! -e x2.png

# A closed pipe: EPIPE (SIGPIPE is ignored), one line, exit 1, at once (12 MB of PPM cannot
# fit in a pipe nobody reads).
{ "$MANDEL" render -q -s 2000x2000 -i 50 -o - --format ppm 2>epipe.txt; echo $? >rc.txt; } |
    head -c 10 >head.bin
check "closed pipe: exit 1" test "$(cat rc.txt)" = 1
check "closed pipe: one line" test "$(lines epipe.txt)" -eq 1
check "closed pipe: says Broken pipe" grep -q "Broken pipe" epipe.txt
check "closed pipe: the first bytes came" test "$(head -c 2 head.bin)" = P6
# Closed before the first byte, and in the other formats, too.
for f in png jpg npy; do
    { "$MANDEL" render -q -s 2000x2000 -i 50 -o - --format $f 2>epipe.txt; echo $? >rc.txt; } |
        true
    check "closed pipe ($f): exit 1" test "$(cat rc.txt)" = 1
    check "closed pipe ($f): one line, Broken pipe" sh -c \
        'test "$(wc -l <epipe.txt)" -eq 1 && grep -q "Broken pipe" epipe.txt'
done

# A non-blocking standard output (set by whoever made the pipe) that fills up: mandel waits
# for the reader rather than failing with EAGAIN. (perl-base is Essential in Debian.)
{ perl -e 'use Fcntl; my $f = fcntl(STDOUT, F_GETFL, 0); fcntl(STDOUT, F_SETFL, $f | O_NONBLOCK);
           exec @ARGV' "$MANDEL" render -q -s 1000x1000 -i 50 -o - --format ppm 2>nb.txt
  echo $? >rc.txt; } | { sleep 1; wc -c; } >nb-bytes.txt
check "non-blocking stdout: exit 0 ($(cat nb.txt))" test "$(cat rc.txt)" = 0
check "non-blocking stdout: every byte" test "$(tr -d ' ' <nb-bytes.txt)" -eq $((17 + 3000000))

# --stats goes to stderr: standard output is exactly the PPM.
"$MANDEL" render -q --stats -s 100x50 -i 100 -o - --format ppm >stats.ppm 2>stats.txt
check "--stats with -o -: stdout is the picture" test "$(wc -c <stats.ppm)" -eq $((14 + 100 * 50 * 3))
check "--stats with -o -: stats on stderr" grep -q "iterations" stats.txt

# mandel colour: the same picture on standard output.
"$MANDEL" render -q -s 120x80 -i 200 -o data.npy
"$MANDEL" colour data.npy -q -p viridis -o colour.png
"$MANDEL" colour data.npy -q -p viridis -o - --format png >colour-out.png
check "mandel colour -o -" cmp -s colour.png colour-out.png

# On a terminal (script(1) gives one): the progress bar is drawn on stderr while standard
# output, redirected, gets nothing but the picture; a terminal as standard output is refused.
if command -v script >/dev/null 2>&1; then
    # The bar shows after half a second: more iterations until it does (a sanitized build
    # gets there at once, a fast machine in a few steps).
    i=20000
    while :; do
        script -qec "'$MANDEL' render -s 400x250 -i $i --no-shortcuts -o - --format ppm \
                     >tty.ppm" tty.log >/dev/null 2>&1
        rc=$?
        grep -q "rendering" tty.log && break
        [ $i -ge 5120000 ] || [ $rc -ne 0 ] && break
        i=$((i * 4))
    done
    check "on a terminal: exit 0" test $rc -eq 0
    check "on a terminal: the bar was drawn (-i $i)" grep -q "rendering" tty.log
    check "on a terminal: stdout is the picture" test "$(wc -c <tty.ppm)" -eq $((15 + 400 * 250 * 3))
    check "on a terminal: stdout starts with the header" test "$(head -c 15 tty.ppm)" = "P6
400 250
255"
    script -qec "'$MANDEL' render -s 8x8 -o - --format png" tty2.log >/dev/null 2>&1
    check "a terminal as stdout: exit 2" test $? -eq 2
    check "a terminal as stdout: says so" grep -q "is a terminal" tty2.log
else
    echo "SKIP: no script(1) for the terminal checks"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && exit 77
    exit 1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
