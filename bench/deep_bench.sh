#!/bin/sh
# The six Kalles Fraktaler benchmark locations (issue 5's speed target) in one run, with the
# perturbation engine at their own iteration limits, 640x360 by default:
#
#   bench/deep_bench.sh [path/to/mandel]   SIZE=WxH REPEAT=n THREADS=t LOCS="1e14 ..." EXACT=1
#
# For each location: the wall time of the whole `mandel render` process (best of REPEAT
# runs, default 1), its split into reference orbit / BLA table / pixel pass (the line
# `mandel render --stats` prints, from mandel_stats), the pixel pass's BLA skips, exact
# steps and rebases, and the peak memory (/usr/bin/time -f %M).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
MANDEL=${1:-$here/build/mandel}
KF=$here/examples/locations
SIZE=${SIZE:-640x360}
REPEAT=${REPEAT:-1}
THREADS=${THREADS:-2}
LOCS=${LOCS:-"1e14 1e50 5e113 5e227 4e533 1e1086"}
[ -x /usr/bin/time ] || { echo "deep_bench.sh needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d /tmp/mandel-deep-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "mandel deep benchmark: $SIZE, $THREADS threads, best of $REPEAT; $(date '+%Y-%m-%d %H:%M')"
printf '%-7s %9s %8s %8s %8s %8s %8s %8s %8s %9s %8s %7s %5s\n' location iters wall_s orbit_s \
    bla_s pixels_s peak_MiB skips_M steps_M rebases_M exact_s redone mpfr
for loc in $LOCS; do
    best=""
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        /usr/bin/time -f 'TIME %e %M' "$MANDEL" render -q --stats -t "$THREADS" \
            --engine perturb ${EXACT:+--exact} --location "$KF/$loc.kfr" -s "$SIZE" \
            -o "$work/$loc.png" \
            2> "$work/err"
        t=$(awk '/^TIME/ {print $2}' "$work/err")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$t
            cp "$work/err" "$work/best"
        fi
        i=$((i + 1))
    done
    iters=$(awk '/^Iterations:/ {print $2}' "$KF/$loc.kfr" | tr -d '\r')
    awk -v loc="$loc" -v iters="$iters" '
        /^mandel: .*kernel perturb;/ {
            for (i = 1; i <= NF; i++) {
                if ($i == "orbit") orbit = $(i + 1)
                if ($i == "bla" && $(i + 1) != "skips") bla = $(i + 1)
                if ($i == "pixels" && $(i + 2) == "s,") pixels = $(i + 1)
                if ($i == "skips") skips = $(i - 2)
                if ($i == "exact" && $(i + 1) == "steps,") steps = $(i - 1)
                if ($i == "rebases" || $i == "rebases;") rebases = $(i - 1)
                if ($i == "pass") exact = $(i + 1)
                if ($i == "redone") redone = $(i - 2)
                if ($i == "MPFR),") mpfr = substr($(i - 2), 2)
            }
        }
        /^TIME/ { wall = $2; kb = $3 }
        END {
            printf "%-7s %9s %8.2f %8.3f %8.3f %8.2f %8.1f %8.1f %8.1f %9.2f %8.2f %7d %5d\n",
                loc, iters, wall, orbit, bla, pixels - exact, kb / 1024, skips / 1e6, steps / 1e6,
                rebases / 1e6, exact, redone, mpfr
        }' "$work/best"
done
echo "peak_MiB: peak resident set; skips: BLA blocks applied; steps: exact perturbation steps"
echo "exact_s, redone, mpfr (EXACT=1: --exact): the exact pass, the pixels it computed again, in MPFR"
