#!/bin/sh
# mandel-mpi built with MPICH (issue 13: "it must also build with MPICH"), beside the Open
# MPI build: CMake configures a build of this source with MPICH's compiler wrapper
# (mpicc.mpich, Debian's libmpich-dev) in a temporary directory, and the mandel-mpi it
# makes runs under MPICH's own launcher (mpirun.mpich, hydra) with 1 to 3 ranks:
#   - its files equal mandel render's byte for byte (a PNG, a .npy of smooth values, a
#     1e300 view) and its zoom video mandel zoom's;
#   - a rank that dies mid-render leaves no file and no temporary (hydra kills the other
#     ranks with SIGKILL: only the unnamed temporary, O_TMPFILE, makes that hold);
#   - a bad option is told once, status 2.
# Skipped (77) without mpicc.mpich or mpirun.mpich.
#   MANDEL=path/to/mandel SOURCE=repo tests/cli/mpich.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the repository}"
for p in mpicc.mpich mpirun.mpich; do
    if ! command -v $p >/dev/null 2>&1; then
        echo "no $p (Debian's mpich and libmpich-dev): skipped"
        exit 77
    fi
done
harness=mpich
. "$(dirname "$0")/harness.sh"

# The build: only the library and mandel-mpi, with MPICH (hydra's mpirun needs no
# run-as-root variables).
unset ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
cmake -S "$SOURCE" -B build -DCMAKE_BUILD_TYPE=Release -DMANDEL_TESTS=OFF \
    -DMANDEL_SERVER=OFF -DMPI_C_COMPILER="$(command -v mpicc.mpich)" >build.log 2>&1 &&
    cmake --build build -j2 --target mandel_mpi >>build.log 2>&1
rc=$?
check "CMake builds mandel-mpi with MPICH" test $rc -eq 0
if [ $rc -ne 0 ]; then
    tail -20 build.log
    echo "$passed passed, $failed failed"
    exit 1
fi
MPI=$PWD/build/mandel-mpi
check "it links MPICH's library" sh -c "ldd '$MPI' | grep -q libmpich"
RUN="timeout 300 mpirun.mpich"

L=$SOURCE/examples/locations/1e1086.kfr
RE=$(sed -n 's/^Re: //p' "$L" | tr -d '\r')
IM=$(sed -n 's/^Im: //p' "$L" | tr -d '\r')

same() {
    what=$1 file=$2
    shift 2
    "$MANDEL" render -q "$@" -o "ref-$file"
    for n in 1 2 3; do
        $RUN -n $n "$MPI" render -t 1 "$@" -o "$file" 2>err.txt
        rc=$?
        check "$what, $n ranks: status 0" test $rc -eq 0
        [ $rc -eq 0 ] || cat err.txt
        check "$what, $n ranks: mandel render's bytes" cmp -s "ref-$file" "$file"
        rm -f "$file"
    done
    rm -f "ref-$file"
}
same "a PNG" a.png -s 500x203
same "a .npy of 203 rows (smooth)" a.npy -s 500x203 --npy smooth
same "a 1e300 view" a.png -c "$RE,$IM" -z 1e300 -s 320x91 -i 4000

Z=$SOURCE/examples/locations/1e50.kfr
"$MANDEL" zoom -q --location "$Z" -s 16x10 --fps 1 --from-zoom 1e44 -o ref-z.y4m
$RUN -n 2 "$MPI" zoom -q -t 1 --location "$Z" -s 16x10 --fps 1 --from-zoom 1e44 -o z.y4m \
    2>err.txt
check "zoom, 2 ranks: status 0" test $? -eq 0
check "zoom, 2 ranks: mandel zoom's bytes" cmp -s ref-z.y4m z.y4m
rm -f z.y4m ref-z.y4m

MANDEL_MPI_TEST_DIE=1:2 $RUN -n 2 "$MPI" render -t 1 -s 1920x1080 -o dead.png \
    >out.txt 2>err.txt
check "a dead rank: non-zero status" test $? -ne 0
check "a dead rank: no file, no temporary ($(ls -A | grep dead))" \
    test -z "$(ls -A | grep dead)"

$RUN -n 3 "$MPI" render -s 0x4 -o a.png >out.txt 2>err.txt
check "a bad option: status 2" test $? -eq 2
check "a bad option: one line of mandel-mpi's" test "$(grep -c '^mandel-mpi:' err.txt)" -eq 1

echo "$passed passed, $failed failed"
test "$failed" -eq 0
