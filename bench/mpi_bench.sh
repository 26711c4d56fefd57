#!/bin/bash
# mandel-mpi against mandel render on this machine's 2 cores (issue 13): for each scene,
# round after round (interleaved, since this machine's speed drifts), the median of
#   mandel render -t 2                              (threads: the reference)
#   mpirun -n 2 mandel-mpi render -t 1              (2 ranks of 1 thread: MPI's cost)
#   mpirun -n 2 ALT mandel-mpi render -t 1          (ALT: --bind-to none unless given)
# as the time of the whole command, and for mandel-mpi also the time from the ranks' start
# of work to the file written (--stats: the job's launch left out). Efficiency = reference
# time / mandel-mpi time. Every run's file is compared with the reference's.
#
#   bench/mpi_bench.sh [BUILD_DIR] [ROUNDS]      default build, 3 rounds
#   ALT="--mca pml ob1 --mca btl self,vader" ZOOM=0 bench/mpi_bench.sh
#       (the second variant's mpirun options; this one skips the UCX probe at start)
#
# Scenes (1920x1080): the whole set; a dense seahorse zoom; the 1e50 location (at 960x540:
# 30 s a run); then a zoom video, `mandel zoom -t 2` against `mpirun -n 2 mandel-mpi zoom
# -t 1`: the last 16.6 doublings into the 1e50 location, 320x180 --aa 2, 30 fps (ZOOM=0
# leaves it out). The whole run holds /tmp/mandel-bench.lock.
set -eu
if [ "${MANDEL_BENCH_LOCKED:-}" != 1 ]; then
    MANDEL_BENCH_LOCKED=1 exec flock /tmp/mandel-bench.lock "$0" "$@"
fi
build=$(realpath "${1:-build}")
rounds=${2:-3}
src=$(realpath "$(dirname "$0")/..")
mandel=$build/mandel
mpi=$build/mandel-mpi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
read -r -a alt <<< "${ALT:---bind-to none}"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

scene() {
    local name=$1
    shift
    local ref=() mpi_wall=() mpi_work=() nb_wall=() nb_work=()
    for ((r = 0; r < rounds; r++)); do
        local t0 t1
        t0=$(now); "$mandel" render -q -t 2 "$@" -o ref.png; t1=$(now)
        ref+=("$(echo "$t1 - $t0" | bc -l)")
        t0=$(now)
        mpirun -n 2 "$mpi" render -q -t 1 --stats "$@" -o mpi.png 2>stats.txt
        t1=$(now)
        mpi_wall+=("$(echo "$t1 - $t0" | bc -l)")
        mpi_work+=("$(sed -n 's/^mandel-mpi: \([0-9.]*\) s.*/\1/p' stats.txt)")
        cmp -s ref.png mpi.png || { echo "$name: mandel-mpi's file differs" >&2; exit 1; }
        t0=$(now)
        mpirun -n 2 "${alt[@]}" "$mpi" render -q -t 1 --stats "$@" -o nb.png 2>stats2.txt
        t1=$(now)
        nb_wall+=("$(echo "$t1 - $t0" | bc -l)")
        nb_work+=("$(sed -n 's/^mandel-mpi: \([0-9.]*\) s.*/\1/p' stats2.txt)")
        cmp -s ref.png nb.png || { echo "$name: mandel-mpi's file differs" >&2; exit 1; }
    done
    local mr mw mk nw nk
    mr=$(printf '%s\n' "${ref[@]}" | median)
    mw=$(printf '%s\n' "${mpi_wall[@]}" | median)
    mk=$(printf '%s\n' "${mpi_work[@]}" | median)
    nw=$(printf '%s\n' "${nb_wall[@]}" | median)
    nk=$(printf '%s\n' "${nb_work[@]}" | median)
    printf '%-22s %8.3f | %8.3f %8.3f %5.2f %5.2f | %8.3f %8.3f %5.2f %5.2f  (%s)\n' "$name" \
        "$mr" "$mw" "$mk" "$(echo "$mr / $mw" | bc -l)" "$(echo "$mr / $mk" | bc -l)" \
        "$nw" "$nk" "$(echo "$mr / $nw" | bc -l)" "$(echo "$mr / $nk" | bc -l)" \
        "$(sed 's/^mandel-mpi: [0-9.]* s, //' stats.txt)"
}

echo "median of $rounds rounds, seconds; eff = mandel render -t 2 / mandel-mpi"
echo "                      render -t2 | -n 2 -t 1: job     work   eff(job) eff(work) | ${alt[*]}: job  work  eff eff"
scene "whole set" -s 1920x1080
scene "seahorse 1e-10" -s 1920x1080 -c -0.743643887037151,0.131825904205330 -r 1e-10 -i 20000
scene "1e50 (960x540)" -s 960x540 --location "$src/examples/locations/1e50.kfr"
if [ "${ZOOM:-1}" != 0 ]; then
    zargs=(-q --location "$src/examples/locations/1e50.kfr" --from-zoom 1e45 -s 320x180 --aa 2)
    zref=() zmpi=()
    for ((r = 0; r < rounds; r++)); do
        t0=$(now); "$mandel" zoom -t 2 "${zargs[@]}" -o ref.y4m; t1=$(now)
        zref+=("$(echo "$t1 - $t0" | bc -l)")
        t0=$(now); mpirun -n 2 "$mpi" zoom -t 1 "${zargs[@]}" -o mpi.y4m; t1=$(now)
        zmpi+=("$(echo "$t1 - $t0" | bc -l)")
        cmp -s ref.y4m mpi.y4m || { echo "zoom: mandel-mpi's video differs" >&2; exit 1; }
    done
    zr=$(printf '%s\n' "${zref[@]}" | median)
    zm=$(printf '%s\n' "${zmpi[@]}" | median)
    printf 'zoom 1e45->1e50 320x180 aa2: mandel zoom -t 2 %.3f s | mpirun -n 2 mandel-mpi zoom -t 1 %.3f s, eff %.2f\n' \
        "$zr" "$zm" "$(echo "$zr / $zm" | bc -l)"
fi
launch0=$(now); mpirun -n 2 "$mpi" --help >/dev/null; launch1=$(now)
echo "mpirun -n 2 mandel-mpi --help (the launch alone): $(echo "$launch1 - $launch0" | bc -l) s"
launch0=$(now); mpirun -n 2 "${alt[@]}" "$mpi" --help >/dev/null; launch1=$(now)
echo "mpirun -n 2 ${alt[*]} mandel-mpi --help: $(echo "$launch1 - $launch0" | bc -l) s"
