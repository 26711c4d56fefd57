#!/bin/sh
# Are the deep engine's counts right? Builds bench/deep_check.c against build/libmandel.so
# and, for each location, renders it with the perturbation engine (640x360, its own
# iteration limit) and recomputes a sample of pixels spread over the picture with the MPFR
# engine (slow: minutes at depth).
#
#   bench/deep_check.sh [N]     SIZE=WxH THREADS=t LOCS="1e14 ..." BUILD=build-dir EXACT=1
#
# N pixels are checked per location (default 500: one in each cell of a grid). LOCS are
# names in examples/locations/ or paths to .kfr files; the default is the six benchmark
# locations and three minibrots between them (tests/data/deep/near-i-*, found by Newton's
# method). With EXACT=1 the pictures are rendered with --exact (MANDEL_OPT_EXACT), and the
# pixels whose count --exact changed (up to CHANGED, default 100) are checked as well: the
# hardest ones. Prints mismatches and summary lines; exits 1 if any checked pixel differs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
KF=$here/examples/locations
N=${1:-500}
CHANGED=${CHANGED:-100}
SIZE=${SIZE:-640x360}
THREADS=${THREADS:-2}
D=$here/tests/data/deep
LOCS=${LOCS:-"1e14 $D/near-i-1e20.kfr 1e50 $D/near-i-1e60.kfr 5e113 $D/near-i-1e200.kfr 5e227 4e533 1e1086"}
work=$(mktemp -d /tmp/mandel-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -Wall -Wextra -I"$here/include" "$here/bench/deep_check.c" -L"$BUILD" -lmandel \
    -lpthread -Wl,-rpath,"$BUILD" -o "$work/deep_check"
status=0
for loc in $LOCS; do
    case $loc in *.kfr) kfr=$loc ;; *) kfr=$KF/$loc.kfr ;; esac
    if [ "${EXACT:-0}" = 1 ]; then
        "$work/deep_check" -s "$SIZE" -n 0 -t "$THREADS" -w "$work/fast.counts" "$kfr" \
            >/dev/null || { status=1; continue; }
        rc=0
        "$work/deep_check" -x -s "$SIZE" -n "$CHANGED" -g "$N" -t "$THREADS" \
            -c "$work/fast.counts" "$kfr" || rc=$?
        if [ "$rc" = 2 ]; then
            # --exact refused (beyond its depth): the default picture's sample instead
            echo "$kfr: no --exact there; the default picture:"
            "$work/deep_check" -s "$SIZE" -n "$N" -t "$THREADS" "$kfr" || status=1
        elif [ "$rc" != 0 ]; then
            status=1
        fi
    else
        "$work/deep_check" -s "$SIZE" -n "$N" -t "$THREADS" "$kfr" || status=1
    fi
done
exit $status
