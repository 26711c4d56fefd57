#!/bin/sh
# mandel against Fraktaler 3 (Claude Heiland-Allen's deep-zoom renderer), side by side in
# one run, at the six Kalles Fraktaler benchmark locations (issue 14's 2x target):
#
#   bench/fraktaler_compare.sh FRAKTALER [path/to/mandel]   SIZE=WxH REPEAT=n LOCS="..." WISDOM=F
#
# FRAKTALER is a Fraktaler 3 binary built outside this repository (e.g. fraktaler-3-2.1.gcc
# from its source release; the project never builds or ships it). For each location it
# writes a Fraktaler 3 parameter file from the .kfr (centre, zoom, iterations, the size,
# one subframe, and maximum_reference_iterations, maximum_perturb_iterations and
# maximum_bla_steps raised to the iteration limit, as its GUI does when the limit is set:
# their defaults, 1024, stop iterating early and draw another picture), then runs
# `mandel render` and `FRAKTALER -b -P -q` one after the other REPEAT times (default 2) and
# keeps the best wall time and peak memory of each (/usr/bin/time). WISDOM: a wisdom file
# made on this machine (`FRAKTALER -B -w FILE`: its benchmark of its number types); without
# one it uses its defaults (floatexp beyond 1e300, much slower at 4e533 and 1e1086).
# Fraktaler 3's time includes writing its EXR file (about 0.16 s with its start-up).
# Timings take /tmp/mandel-bench.lock, so no other benchmark runs alongside.
set -eu
[ $# -ge 1 ] || { echo "usage: bench/fraktaler_compare.sh FRAKTALER [path/to/mandel]" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
FK=$1
MANDEL=${2:-$here/build/mandel}
KF=$here/examples/locations
SIZE=${SIZE:-640x360}
REPEAT=${REPEAT:-2}
LOCS=${LOCS:-"1e14 1e50 5e113 5e227 4e533 1e1086"}
[ -x "$FK" ] || { echo "fraktaler_compare.sh: $FK is not an executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "fraktaler_compare.sh needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
W=${SIZE%x*}
H=${SIZE#*x}
work=$(mktemp -d /tmp/mandel-fk-XXXXXX)
trap 'rm -rf "$work"' EXIT

field() { awk -v k="$1:" '$1 == k {print $2}' "$2" | tr -d '\r'; }

# best of the runs: "seconds KiB" lines in $1
best() { sort -n "$1" | head -n 1; }

echo "mandel against Fraktaler 3: $SIZE, best of $REPEAT, interleaved; $(date '+%Y-%m-%d %H:%M')"
echo "Fraktaler 3: $FK ${WISDOM:+(wisdom $WISDOM)}"
printf '%-7s %9s %9s %10s %9s %10s %7s\n' location iters mandel_s mandel_MiB fk3_s fk3_MiB ratio
for loc in $LOCS; do
    kfr=$KF/$loc.kfr
    iters=$(field Iterations "$kfr")
    cat > "$work/$loc.toml" <<EOF
[location]
real = "$(field Re "$kfr")"
imag = "$(field Im "$kfr")"
zoom = "$(field Zoom "$kfr")"

[bailout]
iterations = $iters
maximum_reference_iterations = $iters
maximum_perturb_iterations = $iters
maximum_bla_steps = $iters

[image]
width = $W
height = $H
subframes = 1

[render]
filename = "$work/fk-$loc"
EOF
    : > "$work/m.times"
    : > "$work/f.times"
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        flock /tmp/mandel-bench.lock /usr/bin/time -f '%e %M' -o "$work/t" \
            "$MANDEL" render -q -t 2 --location "$kfr" -s "$SIZE" -o "$work/m-$loc.png"
        cat "$work/t" >> "$work/m.times"
        flock /tmp/mandel-bench.lock /usr/bin/time -f '%e %M' -o "$work/t" \
            "$FK" -b -P -q ${WISDOM:+-w "$WISDOM"} "$work/$loc.toml" > "$work/fk.out" 2>&1 ||
            { echo "fraktaler_compare.sh: Fraktaler 3 failed at $loc:" >&2; cat "$work/fk.out" >&2; exit 1; }
        cat "$work/t" >> "$work/f.times"
        i=$((i + 1))
    done
    best "$work/m.times" > "$work/m.best"
    best "$work/f.times" > "$work/f.best"
    read -r ms mk < "$work/m.best"
    read -r fs fkb < "$work/f.best"
    awk -v loc="$loc" -v it="$iters" -v ms="$ms" -v mk="$mk" -v fs="$fs" -v fk="$fkb" 'BEGIN {
        printf "%-7s %9s %9.2f %10.1f %9.2f %10.1f %6.2fx\n", loc, it, ms, mk / 1024, fs, fk / 1024, fs / ms
    }'
done
echo "ratio: Fraktaler 3's time / mandel's (wall time of the whole process, 2 threads each)"
