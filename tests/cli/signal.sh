#!/bin/sh
# A signal while the finished picture is being closed (its temporary renamed into place)
# removes the temporary: issue 9's bug was that the handler was reset before the close, so
# Ctrl-C then left 'x.png.tmp-XXXXXX' behind. SLOW_RENAME (tests/cli/slow_rename.c, an
# LD_PRELOAD shim) holds rename() for seconds and marks when the program is inside it.
#   MANDEL=path/to/mandel SLOW_RENAME=path/to/libslow_rename.so tests/cli/signal.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SLOW_RENAME:?set SLOW_RENAME to the slow_rename shim}"
harness=signal
. "$(dirname "$0")/harness.sh"

# A sanitized program wants its runtime first; the shim comes before it here.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS

# The shim works: with a short wait the picture is written as usual.
SLOW_RENAME_SECONDS=0.1 LD_PRELOAD=$SLOW_RENAME "$MANDEL" render -q -s 64x48 -o ok.png
check "through the shim, a picture is written" test -s ok.png
check "through the shim, nothing else" test "$(ls -A)" = ok.png
rm -f ok.png

# wait_for FILE: up to 60 s (a sanitized build is slow to start)
wait_for() {
    n=0
    while [ ! -e "$1" ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n + 1)); done
    test -e "$1"
}

for sig in INT TERM HUP; do
    for f in png ppm; do
        mkdir $sig-$f
        rm -f mark
        SLOW_RENAME_MARK=$dir/mark LD_PRELOAD=$SLOW_RENAME \
            "$MANDEL" render -q -s 640x480 -o $sig-$f/x.$f 2>err.txt &
        pid=$!
        check "SIG$sig ($f): the program reached the rename" wait_for mark
        kill -$sig $pid
        wait $pid
        code=$?
        check "SIG$sig ($f) during the rename: exit 130 ($code)" test $code -eq 130
        check "SIG$sig ($f) during the rename: no file, no temporary ($(ls -A $sig-$f))" \
            test -z "$(ls -A $sig-$f)"
        check "SIG$sig ($f) during the rename: says so" \
            test "$(tail -n 1 err.txt)" = "mandel: interrupted; no file written"
    done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
