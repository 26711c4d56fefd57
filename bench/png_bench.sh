#!/bin/bash
# PNG vs JPEG vs PPM, whole process: `mandel render -s 3840x2160 -o a.EXT` for each format in
# turn, round after round (interleaved, since this machine's speed drifts), best and median
# of each; the files' sizes, also of the tutorial's view with viridis; then the peak memory
# of a 20000x20000 PNG, which is streamed in bands.
#
#   bench/png_bench.sh [MANDEL] [ROUNDS]     default build/mandel, 9 rounds
#   BASELINE=/path/to/old/mandel bench/png_bench.sh    also times an older build's PNG
#   BIG=0 bench/png_bench.sh                 skips the 20000x20000 run (half a minute)
#
# The whole run holds /tmp/mandel-bench.lock, so that no other benchmark runs meanwhile.
set -eu
if [ "${MANDEL_BENCH_LOCKED:-}" != 1 ]; then
    MANDEL_BENCH_LOCKED=1 exec flock /tmp/mandel-bench.lock "$0" "$@"
fi

mandel=$(realpath "${1:-build/mandel}")
rounds=${2:-9}
baseline=${BASELINE:-}
[ -n "$baseline" ] && baseline=$(realpath "$baseline")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

size=3840x2160
tutorial="--bounds -2.5,1,-1,1 -i 1000 -p viridis"

# Seconds one command takes, whole process.
seconds() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f\n", (b - a) / 1e9}'
}

# best and median of the numbers on stdin
stats() { sort -n | awk '{v[NR] = $1} END {printf "%8.3f %8.3f", v[1], v[int((NR + 1) / 2)]}'; }

names="png jpg ppm"
[ -n "$baseline" ] && names="$names png-before"
"$mandel" render -q -s 64x64 -o warm.png   # page in the program and its libraries
for r in $(seq "$rounds"); do
    for f in png jpg ppm; do
        seconds "$mandel" render -q -s $size -o a.$f >>t.$f
    done
    if [ -n "$baseline" ]; then seconds "$baseline" render -q -s $size -o b.png >>t.png-before; fi
done

echo "mandel render -s $size -o a.EXT, whole process, $rounds rounds interleaved, $(nproc) CPUs"
printf '%-11s %8s %8s %12s\n' format best median bytes
for f in $names; do
    case $f in png-before) file=b.png ;; *) file=a.$f ;; esac
    printf '%-11s %s %12s\n' "$f" "$(stats <t.$f)" "$(stat -c %s $file)"
done
png=$(sort -n t.png | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
jpg=$(sort -n t.jpg | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
echo "PNG / JPEG (medians): $(awk -v a="$png" -v b="$jpg" 'BEGIN {printf "%.2f", a / b}')"

echo
echo "tutorial view ($tutorial -s $size), PNG bytes:"
"$mandel" render -q -s $size $tutorial -o t.png
echo "  this build: $(stat -c %s t.png)"
if [ -n "$baseline" ]; then
    "$baseline" render -q -s $size $tutorial -o tb.png
    echo "  baseline:   $(stat -c %s tb.png)"
fi

if [ "${BIG:-1}" != 0 ]; then
    echo
    echo "mandel render -s 20000x20000 -o big.png (/usr/bin/time -v):"
    /usr/bin/time -v "$mandel" render -q -s 20000x20000 -o big.png 2>time.txt
    grep -E "Elapsed|Maximum resident" time.txt | sed 's/^\s*/  /'
    echo "  bytes: $(stat -c %s big.png)"
    rm -f big.png
fi
