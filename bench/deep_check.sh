#!/bin/sh
# Is the perturbation engine's picture right at the six benchmark locations? Builds
# bench/deep_check.c against build/libmandel.so and, for each location, renders it with the
# perturbation engine (640x360, its own iteration limit) and recomputes a sample of pixels
# spread over the picture with the MPFR engine (slow: minutes at depth).
#
#   bench/deep_check.sh [N]        SIZE=WxH THREADS=t LOCS="1e14 ..." BUILD=build-dir
#
# N is the number of pixels checked per location (default 200; deeper locations cost more:
# a 1e1086 pixel takes seconds in MPFR). Prints mismatches and a summary line per
# location; exits 1 if any checked pixel differs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
KF=$here/examples/locations
N=${1:-200}
SIZE=${SIZE:-640x360}
THREADS=${THREADS:-2}
LOCS=${LOCS:-"1e14 1e50 5e113 5e227 4e533 1e1086"}
work=$(mktemp -d /tmp/mandel-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -Wall -Wextra -I"$here/include" "$here/bench/deep_check.c" -L"$BUILD" -lmandel \
    -lpthread -Wl,-rpath,"$BUILD" -o "$work/deep_check"
status=0
for loc in $LOCS; do
    "$work/deep_check" -s "$SIZE" -n "$N" -t "$THREADS" "$KF/$loc.kfr" || status=1
done
exit $status
