#!/bin/sh
# mandel-mpi (issue 13) under mpirun with 1 to 4 ranks on this machine (--oversubscribe):
#   - the file equals mandel render's byte for byte: a shallow PNG, a .npy whose height is
#     no multiple of the ranks (smooth values), a picture with fewer rows than ranks, a
#     1e300 and a 1e1000 view (perturbation), a PGM with --aa and a histogram PPM;
#   - a rank that dies mid-render (MANDEL_MPI_TEST_DIE) ends the job: non-zero status, a
#     clear message (rank 0's, or mpirun's when it kills rank 0 first), no file and no
#     temporary; rank 0 sent SIGTERM itself says so (its handler), and leaves nothing;
#   - rank 0's writer takes the threads of the ranks on its node (--stats says so);
#   - bad options are told once (one line of mandel-mpi's), with status 2; --help is 0;
#   - mandel-mpi zoom: the video equals mandel zoom's byte for byte (a shallow zoom, a
#     1e50 zoom with --aa 2, 1..4 ranks); a rank that dies mid-zoom leaves no video and
#     keeps the keyframes made, and the same command then makes mandel zoom's video.
# Skipped (77) without mpirun or when mandel-mpi was not built.
#   MANDEL=path/to/mandel MANDEL_MPI=path/to/mandel-mpi SOURCE=repo tests/cli/mpi.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the repository}"
if [ -z "${MANDEL_MPI:-}" ] || [ ! -x "$MANDEL_MPI" ]; then
    echo "mandel-mpi not built (no MPI found by CMake): skipped"
    exit 77
fi
if ! command -v mpirun >/dev/null 2>&1; then
    echo "no mpirun: skipped"
    exit 77
fi
harness=mpi
. "$(dirname "$0")/harness.sh"

# CI runs as root: Open MPI refuses that unless told, here and not in users' commands.
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
# More ranks than cores: Open MPI needs --oversubscribe (MPICH's hydra takes it as is).
if mpirun --version 2>&1 | grep -q 'Open MPI'; then
    RUN="mpirun --oversubscribe"
else
    RUN="mpirun"
fi
# A sanitized build: MPI's own leaks are not ours.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

L=$SOURCE/examples/locations/1e1086.kfr
RE=$(sed -n 's/^Re: //p' "$L" | tr -d '\r')
IM=$(sed -n 's/^Im: //p' "$L" | tr -d '\r')

# same NAME FILE OPTIONS...: mandel-mpi with 1..4 ranks writes mandel render's bytes.
same() {
    what=$1 file=$2
    shift 2
    "$MANDEL" render -q "$@" -o "ref-$file"
    for n in 1 2 3 4; do
        timeout 300 $RUN -n "$n" "$MANDEL_MPI" render -t 1 "$@" -o "$file" 2>err.txt
        rc=$?
        check "$what, $n ranks: status 0" test "$rc" -eq 0
        [ "$rc" -eq 0 ] || cat err.txt
        check "$what, $n ranks: mandel render's bytes" cmp -s "ref-$file" "$file"
        rm -f "$file"
    done
    rm -f "ref-$file"
}

same "a shallow PNG" a.png -s 700x301
same "a .npy of 301 rows (smooth)" a.npy -s 700x301 --npy smooth
same "a picture of 2 rows" a.png -s 64x2
same "a 1e300 view" a.png -c "$RE,$IM" -z 1e300 -s 640x181 -i 4000
same "a 1e1000 view" a.png -c "$RE,$IM" -z 1e1000 -s 640x181 -i 4000
same "a PGM with --aa 2" a.pgm -s 500x203 --aa 2
same "a histogram PPM" a.ppm -s 500x203 --color histogram

# Rank 0's writer takes the threads of every rank on its node (here all of them): -t times
# the ranks, but at most the CPUs rank 0 may run on (mpirun may bind it to one core), and
# never fewer than -t; every CPU without -t.
for n in 2 3; do
    cpus=$(timeout 60 $RUN -n $n nproc | head -n 1)
    want=$((n < cpus ? n : cpus))
    want=$((want > 1 ? want : 1))
    timeout 300 $RUN -n $n "$MANDEL_MPI" render -t 1 --stats -s 64x48 -o w.png 2>err.txt
    check "$n ranks of -t 1 on $cpus CPUs each: the writer takes $want threads" \
        grep -q "; writer threads: $want\$" err.txt
done
timeout 300 $RUN -n 2 "$MANDEL_MPI" render --stats -s 64x48 -o w.png 2>err.txt
check "without -t: the writer takes every CPU" grep -q "; writer threads: every CPU\$" err.txt
rm -f w.png

# A rank that dies mid-render: the job stops, says so, and leaves no file.
for n in 2 3; do
    MANDEL_MPI_TEST_DIE=1:2 timeout 300 $RUN -n $n "$MANDEL_MPI" render -t 1 -s 1920x1080 \
        -o dead.png 2>err.txt
    rc=$?
    check "a dead rank of $n: non-zero status" test "$rc" -ne 0
    # Open MPI's mpirun ends the job some 20 ms after its SIGTERM (measured): rank 0's own
    # line is lost in about 1 run of 20 (killed in its handler, or not forwarded), mpirun's
    # report is always there.
    check "a dead rank of $n: rank 0 or mpirun says so" grep -q \
        -e '^mandel-mpi: stopped (a rank failed or the job was killed); no file written' \
        -e 'exited with non-zero status' err.txt
    check "a dead rank of $n: no file, no temporary" test -z "$(ls -A | grep dead)"
done

# Rank 0 stopped by a signal (as mpirun or a batch system stops a job): its handler says
# so, deterministically (the dead-rank checks above cannot tell: mpirun may end rank 0
# before the handler runs, and the temporary has no name till complete anyway). Rank 0 is
# the process holding a file of this directory other than err.txt: its output's temporary.
timeout 300 $RUN -n 2 "$MANDEL_MPI" render -t 1 --location "$SOURCE/examples/locations/1e50.kfr" \
    -s 960x540 -o killed.png 2>err.txt &
job=$!
rank0=""
here=$(pwd)
for i in $(seq 1 1200); do
    for d in /proc/[0-9]*; do
        tr '\0' ' ' < "$d/cmdline" 2>/dev/null | grep -q "mandel-mpi render -t 1 --location" ||
            continue
        ls -l "$d/fd" 2>/dev/null | grep -- "-> $here/" | grep -qv "err\.txt" && rank0=${d#/proc/}
    done
    [ -n "$rank0" ] && break
    sleep 0.05
done
check "SIGTERM to rank 0: found it" test -n "$rank0"
[ -n "$rank0" ] && kill -TERM "$rank0"
wait "$job"
rc=$?
check "SIGTERM to rank 0: non-zero status" test "$rc" -ne 0
check "SIGTERM to rank 0: it says so" \
    grep -q '^mandel-mpi: stopped (a rank failed or the job was killed); no file written' err.txt
check "SIGTERM to rank 0: no file, no temporary" test -z "$(ls -A | grep killed)"

# Zoom videos: mandel zoom's bytes, whichever rank made which keyframe.
Z=$SOURCE/examples/locations/1e50.kfr
zsame() {
    what=$1 file=$2
    shift 2
    "$MANDEL" zoom -q "$@" -o "ref-$file"
    for n in 1 2 3 4; do
        timeout 300 $RUN -n "$n" "$MANDEL_MPI" zoom -q -t 1 "$@" -o "$file" 2>err.txt
        rc=$?
        check "zoom: $what, $n ranks: status 0" test "$rc" -eq 0
        [ "$rc" -eq 0 ] || cat err.txt
        check "zoom: $what, $n ranks: mandel zoom's bytes" cmp -s "ref-$file" "$file"
        check "zoom: $what, $n ranks: no cache left" test ! -e .mandel-zoom-cache
        rm -f "$file"
    done
    rm -f "ref-$file"
}
zsame "a shallow zoom" z.y4m -c -0.743643887037151,0.131825904205330 -z 1e6 -s 48x28 --fps 6
zsame "a 1e50 zoom, --aa 2" z.y4m --location "$Z" -s 16x10 --aa 2 --fps 1 --from-zoom 1e45

# A rank that dies mid-zoom: no video; the keyframes made stay, and the same command
# (fewer ranks now) finishes the video mandel zoom makes.
"$MANDEL" zoom -q --location "$Z" -s 16x10 --fps 1 --from-zoom 1e40 -o ref-z.y4m
MANDEL_MPI_TEST_DIE=1:4 timeout 300 $RUN -n 3 "$MANDEL_MPI" zoom -q -t 1 --location "$Z" \
    -s 16x10 --fps 1 --from-zoom 1e40 -o z.y4m 2>err.txt
rc=$?
check "zoom: a dead rank: non-zero status" test "$rc" -ne 0
check "zoom: a dead rank: no video, no temporary" \
    test -z "$(ls -A | grep -v '^ref-' | grep 'z\.y4m')"
check "zoom: a dead rank: keyframes kept" test -n "$(ls .mandel-zoom-cache 2>/dev/null)"
timeout 300 $RUN -n 2 "$MANDEL_MPI" zoom -q -t 1 --location "$Z" -s 16x10 --fps 1 \
    --from-zoom 1e40 -o z.y4m 2>err.txt
check "zoom: continued: status 0" test $? -eq 0
check "zoom: continued: mandel zoom's bytes" cmp -s ref-z.y4m z.y4m
check "zoom: continued: the cache is gone" test ! -e .mandel-zoom-cache
rm -f z.y4m ref-z.y4m

# Bad options: one line of ours, status 2, whatever the ranks.
bad() {
    want=$1
    shift
    timeout 120 $RUN -n 3 "$MANDEL_MPI" "$@" 2>err.txt >out.txt
    rc=$?
    check "$*: status 2" test "$rc" -eq 2
    check "$*: one line of mandel-mpi's" test "$(grep -c '^mandel-mpi:' err.txt)" -eq 1
    check "$*: the line says: $want" grep -qF "mandel-mpi: $want" err.txt
    check "$*: no file" test -z "$(ls -A | grep '^a\.')"
}
bad "--size '0x4': width must be 1..65535" render -s 0x4 -o a.png
bad "unknown option '--bogus'" render --bogus -o a.png
bad "no output file" render -s 10x10
bad "-o -: standard output has no extension" render -s 10x10 -o -

# -o -: rank 0's standard output, through mpirun, is mandel render's file.
"$MANDEL" render -q -s 300x201 -o ref-o.png
for n in 1 3; do
    timeout 120 $RUN -n $n "$MANDEL_MPI" render -t 1 -s 300x201 -o - --format png \
        >out.png 2>err.txt
    check "-o -, $n ranks: status 0" test $? -eq 0
    check "-o -, $n ranks: mandel render's bytes" cmp -s ref-o.png out.png
done
rm -f ref-o.png out.png
bad "unknown command 'zoomm'" zoomm -o a.png
bad "--fps '0': must be 1..240" zoom --fps 0 -z 1e5 -o a.y4m
bad "-o 'a.avi': unknown extension" zoom -z 1e5 -o a.avi
bad "--exact: not available in mandel-mpi" zoom --exact -z 1e5 -o a.y4m
timeout 120 $RUN -n 2 "$MANDEL_MPI" render --help >out.txt 2>err.txt
check "--help: status 0" test $? -eq 0
check "--help: the usage once" test "$(grep -c '^Usage: mpirun -n N mandel-mpi render' out.txt)" -eq 1
timeout 120 $RUN -n 2 "$MANDEL_MPI" zoom --help >out.txt 2>err.txt
check "zoom --help: status 0" test $? -eq 0
check "zoom --help: the usage once" test "$(grep -c '^Usage: mpirun -n N mandel-mpi zoom' out.txt)" -eq 1

echo "$passed passed, $failed failed"
test "$failed" -eq 0
