#!/bin/sh
# mandel against the tutorial it grew from (its program, unchanged, is in bench/seed/), on
# the tutorial's scene (400x400, 1000 iterations), side by side in one run:
#   - compute: the seed's mandelbrotCalcSet() (multiprocessing, and single process) vs
#     mandel's render time (--stats);
#   - whole process: `python3 seed_multiprocessing.py` (compute + matplotlib + JPEG) vs
#     `mandel render ... -p viridis -o x.jpg`.
# Each figure is the best of REPEAT runs (default 3 for Python, 20 for mandel).
# Needs Debian's python3-matplotlib:  apt-get install python3-matplotlib
#   bench/seed_compare.sh [path/to/mandel]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
MANDEL=${1:-$here/build/mandel}
SEED=$here/bench/seed   # the tutorial's program, unchanged (bench/seed/README.md)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ left in bench/seed/
REPEAT=${REPEAT:-3}
if ! $PY -c 'import matplotlib' 2>/dev/null; then
    echo "bench/seed_compare.sh needs python3-matplotlib (apt-get install python3-matplotlib)" >&2
    exit 1
fi
work=$(mktemp -d /tmp/mandel-seed-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

seed_compute() { # module -> best seconds of mandelbrotCalcSet(400, 400, 1000)
    $PY - "$SEED" "$1" "$REPEAT" <<'PYEOF'
import sys, time, importlib
sys.path.insert(0, sys.argv[1])
m = importlib.import_module(sys.argv[2])
best = min((lambda t: (m.mandelbrotCalcSet(400, 400, 1000), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(int(sys.argv[3])))
print("%.6f" % best)
PYEOF
}

wall() { # command... -> best wall seconds of REPEAT runs
    n=$1; shift
    best=""
    i=0
    while [ $i -lt "$n" ]; do
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        best=$(echo "$t0 $t1 $best" | awk '{d=$2-$1; if ($3=="" || d<$3) print d; else print $3}')
        i=$((i + 1))
    done
    echo "$best"
}

mandel_compute() { # best render seconds from --stats
    i=0 best=""
    while [ $i -lt 20 ]; do
        s=$("$MANDEL" render -q --stats --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -p viridis -o x.png 2>&1 | awk '{print $2}')
        best=$(echo "$s $best" | awk '{if ($2=="" || $1<$2) print $1; else print $2}')
        i=$((i + 1))
    done
    echo "$best"
}

seed_mp=$(seed_compute seed_multiprocessing)
seed_1=$(seed_compute seed_single)
mandel_c=$(mandel_compute)
seed_proc=$(wall "$REPEAT" $PY "$SEED/seed_multiprocessing.py")
mandel_proc=$(wall 20 "$MANDEL" render -q --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -p viridis -o x.jpg)

awk -v a="$seed_1" -v b="$seed_mp" -v c="$mandel_c" -v d="$seed_proc" -v e="$mandel_proc" 'BEGIN {
    printf "tutorial scene, 400x400, 1000 iterations, %d CPUs\n", '"$(nproc)"'
    printf "%-44s %12s %10s\n", "", "seconds", "mandel is"
    printf "%-44s %12.4f %9.0fx\n", "seed, one process: compute", a, a / c
    printf "%-44s %12.4f %9.0fx\n", "seed, multiprocessing: compute", b, b / c
    printf "%-44s %12.6f %10s\n", "mandel render: compute (--stats)", c, "-"
    printf "%-44s %12.4f %9.0fx\n", "seed, multiprocessing: whole process + JPEG", d, d / e
    printf "%-44s %12.4f %10s\n", "mandel render -o x.jpg: whole process", e, "-"
}'
