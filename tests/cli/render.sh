#!/bin/sh
# mandel render end to end: the default picture, every format, the tutorial's counts, the
# Benchmarks Game bitmaps, thread-count invariance of the files, quiet stderr, help texts.
# (numpy's view of the files is tests/cli/numpy.sh, a test of its own that can be skipped.)
#   MANDEL=path/to/mandel SOURCE=path/to/repository tests/cli/render.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the repository}"
harness=cli
. "$(dirname "$0")/harness.sh"

# bytes FILE OFFSET COUNT: the bytes as hex, no spaces
bytes() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# The default picture: a 1200x800 RGB PNG, nothing on stderr when it is not a terminal.
check "default render exits 0" "$MANDEL" render -o mandel.png 2>err.txt
check "default render is silent off a terminal" test ! -s err.txt
check "PNG signature" test "$(bytes mandel.png 0 8)" = 89504e470d0a1a0a
check "PNG is 1200x800 8-bit RGB" test "$(bytes mandel.png 16 10)" = 000004b0000003200802
check "no temporary left" test "$(ls -A)" = "err.txt
mandel.png"

# npy_body FILE: the data after the .npy header (its length is at bytes 8-9).
npy_body() { tail -c +$((10 + $(od -An -tu2 -j8 -N2 "$1") + 1)) "$1"; }
# The tutorial's counts, kept compressed in the repository (tests/data/).
gzip -dc "$SOURCE/tests/data/seed_400x400_1000.u32.gz" >"$dir/seed.u32"
check "the tutorial's counts decompress to the published md5" \
    test "$(md5sum <"$dir/seed.u32" | cut -c1-32)" = 0120b6404aafa59f467e02f8b6b6ffa5
tutorial_matches() { npy_body "$1" | cmp -s - "$dir/seed.u32"; }

# The tutorial: the .npy body is the reference array, byte for byte, whatever the thread
# count.
for t in 1 2 3; do
    "$MANDEL" render -q --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -t $t -o tut$t.npy
    check "tutorial counts with $t threads" tutorial_matches tut$t.npy
done
check "npy header" test "$(head -c 6 tut1.npy | od -An -c | tr -d ' ')" = '223NUMPY'

# The Computer Language Benchmarks Game bitmaps, md5 from the reference README.
"$MANDEL" render -q --bounds -1.5,0.5,-1,1 -s 200x200 -i 50 -o bg200.pbm
check "Benchmarks Game N=200" test "$(md5sum <bg200.pbm | cut -c1-32)" = cc65e64bd553ed18896de1dfe7fae3e5
"$MANDEL" render -q --bounds -1.5,0.5,-1,1 -s 1000x1000 -i 50 -t 1 -o bg1000.pbm
check "Benchmarks Game N=1000" test "$(md5sum <bg1000.pbm | cut -c1-32)" = 9beadc69396d01081a98cf5dc057ce89

# Every format, and identical files for 1 and 2 threads and for scalar vs the best kernel.
for ext in png jpg jpeg ppm pgm pbm npy; do
    "$MANDEL" render -q -s 321x123 -c -0.74,0.13 -r 0.05 -i 700 -t 1 -o one.$ext
    "$MANDEL" render -q -s 321x123 -c -0.74,0.13 -r 0.05 -i 700 -t 2 -o two.$ext
    "$MANDEL" render -q -s 321x123 -c -0.74,0.13 -r 0.05 -i 700 --isa scalar --no-shortcuts -o plain.$ext
    check "$ext: 1 and 2 threads give the same file" cmp -s one.$ext two.$ext
    check "$ext: scalar without shortcuts gives the same file" cmp -s one.$ext plain.$ext
done
check "JPEG signature" test "$(bytes one.jpg 0 3)" = ffd8ff
check "PPM header and size" test "$(head -c 15 one.ppm | tr '\n' ' ')" = "P6 321 123 255 " -a "$(wc -c <one.ppm)" -eq $((15 + 321 * 123 * 3))
check "PGM size" test "$(wc -c <one.pgm)" -eq $((15 + 321 * 123))
check "PBM size" test "$(wc -c <one.pbm)" -eq $((11 + 41 * 123))
check "upper-case extension" "$MANDEL" render -q -s 8x8 -o UPPER.PNG
check "PNG carries its command line" grep -q "mandel render --center -0.74,0.13 --radius 0.05 --size 321x123 --iterations 700" one.png

# Anti-aliasing: a flat region (inside the cardioid) is unchanged by it; elsewhere it
# changes the picture, and it does not depend on the thread count.
"$MANDEL" render -q -s 40x30 -c -0.2,0 -r 0.1 -o flat1.ppm
"$MANDEL" render -q -s 40x30 -c -0.2,0 -r 0.1 --aa 3 -o flat3.ppm
check "AA of a flat region equals no AA" cmp -s flat1.ppm flat3.ppm
"$MANDEL" render -q -s 64x48 -c -0.74,0.13 -r 0.05 --aa 4 -t 1 -o aa1.ppm
"$MANDEL" render -q -s 64x48 -c -0.74,0.13 -r 0.05 --aa 4 -t 2 -o aa2.ppm
"$MANDEL" render -q -s 64x48 -c -0.74,0.13 -r 0.05 -o noaa.ppm
check "AA output is the same for 1 and 2 threads" cmp -s aa1.ppm aa2.ppm
# The averaging runs a row a task on the ctx's threads: with a period given, the picture
# streams band by band (colours in the render's sink, then the averaging), in colour and
# in grey; both the same for 1 and 3 threads.
for ext in ppm pgm; do
    "$MANDEL" render -q -s 150x100 -c -0.74,0.13 -r 0.05 --aa 3 --palette-period 40 -t 1 -o st1.$ext
    "$MANDEL" render -q -s 150x100 -c -0.74,0.13 -r 0.05 --aa 3 --palette-period 40 -t 3 -o st3.$ext
    check "$ext: streamed AA is the same for 1 and 3 threads" cmp -s st1.$ext st3.$ext
done
check "AA changes a boundary picture" sh -c "! cmp -s aa1.ppm noaa.ppm"
"$MANDEL" render -q -s 64x48 -c -0.74,0.13 -r 0.05 --aa 2 -p viridis -o aav.pgm
check "AA with a whole-field palette and grey output" test "$(wc -c <aav.pgm)" -eq $((13 + 64 * 48))

# A picture says how it was made, and --from makes it again (or a variation).
"$MANDEL" render -q -s 90x60 -c -0.74,0.13 -r 0.05 -i 700 --aa 2 -p magma --interior '#102030' -o made.png
check "mandel info prints the command" test "$("$MANDEL" info made.png)" = "mandel render --center -0.74,0.13 --radius 0.05 --size 90x60 --iterations 700 --palette magma --aa 2 --interior '#102030'"
"$MANDEL" render -q --from made.png -o again.png
check "--from reproduces the picture byte for byte" cmp -s made.png again.png
"$MANDEL" render -q --from made.png -s 45x30 -o smaller.jpg
check "--from with an override" sh -c "'$MANDEL' info smaller.jpg | grep -q -- '--size 45x30 --iterations 700 --palette magma'"

# An existing file is replaced only when the new one is complete. A render whose writes
# fail once the temporary is open (a file-size limit, SIGXFSZ ignored so that write() fails
# with EFBIG): exit 1, one line, the old file byte for byte, no temporary left.
printf 'the old picture\n' >old.txt
for ext in ppm png jpg; do
    mkdir full-$ext
    cp old.txt full-$ext/keep.$ext
    (cd full-$ext && sh -c 'trap "" XFSZ; ulimit -f 16; exec "$0" "$@"' "$MANDEL" render -q \
        -s 2000x2000 -o keep.$ext) 2>full-$ext.err
    code=$?
    check "$ext: a write failing mid-file exits 1" test $code -eq 1
    check "$ext: and says so in one line" test "$(wc -l <full-$ext.err)" -eq 1
    check "$ext: the old file is kept byte for byte" cmp -s old.txt full-$ext/keep.$ext
    check "$ext: no temporary left" test "$(ls -A full-$ext)" = "keep.$ext"
done

# Interrupted once its temporary is open (SIGINT, as Ctrl-C sends): the old file stays.
mkdir intr-old
cp old.txt intr-old/i.png
(cd intr-old && exec "$MANDEL" render -q --no-shortcuts -c -1,0 -r 0.01 -i 4000000000 -s 64x64 \
    -t 2 -o i.png) 2>intr-old.err &
pid=$!
# its temporary: a .tmp- file beside i.png, or (Linux, O_TMPFILE) an unnamed one it holds
has_temp() {
    test "$(ls -A intr-old | wc -l)" -eq 2 ||
        ls -l /proc/$pid/fd 2>/dev/null | grep -q "intr-old/.*(deleted)"
}
n=0
while [ $n -lt 100 ] && ! has_temp; do
    sleep 0.05
    n=$((n + 1))
done
check "the interrupted render had opened its temporary" has_temp
sleep 0.2
kill -INT $pid
wait $pid
code=$?
check "SIGINT with an old file exits 130" test $code -eq 130
check "SIGINT keeps the old file byte for byte" cmp -s old.txt intr-old/i.png
check "SIGINT leaves no temporary beside it" test "$(ls -A intr-old)" = i.png

# Interrupted (SIGINT, as Ctrl-C sends): exit 130, one line, and no file at all. The view
# is the interior of the period-2 bulb without shortcuts: minutes of work if not stopped.
mkdir intr && cd intr
"$MANDEL" render -q --no-shortcuts -c -1,0 -r 0.01 -i 4000000000 -s 64x64 -t 2 -o i.png 2>err.txt &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
code=$?
check "SIGINT exits 130" test $code -eq 130
check "SIGINT says so" test "$(tail -n 1 err.txt)" = "mandel: interrupted; no file written"
check "SIGINT leaves no file" test "$(ls -A)" = "err.txt"
cd ..

# Other formulas and powers (their values, read with numpy, are in tests/cli/numpy.sh).
"$MANDEL" render -q -s 64x48 -i 300 --formula tricorn --power 2 -c 0,0 -r 1.5 -o tri.png
"$MANDEL" render -q -s 64x48 -i 300 --power 3 -c 0,0 -r 1.2 --color histogram -p plasma -o cubic.png
check "formulas render" test -s tri.png -a -s cubic.png

# Recolouring saved data equals rendering with the same options, pixel for pixel.
V="-s 120x90 -c -0.74,0.13 -r 0.05 -i 700"
"$MANDEL" render -q $V --npy smooth -o data-smooth.npy
"$MANDEL" render -q $V -o data-counts.npy
"$MANDEL" render -q $V --npy distance -o data-dist.npy
recolour_equals() { # recolour_equals DATA RENDER-OPTIONS...
    data=$1
    shift
    "$MANDEL" colour "$data" "$@" -o recoloured.ppm && "$MANDEL" render -q $V "$@" -o rendered.ppm &&
        cmp -s recoloured.ppm rendered.ppm
}
check "recolour smooth = render (default look)" recolour_equals data-smooth.npy
check "recolour smooth = render (magma)" recolour_equals data-smooth.npy -p magma --color smooth
check "recolour smooth = render (histogram)" recolour_equals data-smooth.npy -p inferno --color histogram
check "recolour smooth = render (log, period)" recolour_equals data-smooth.npy --color log --palette-period 3
check "recolour counts = render (viridis)" recolour_equals data-counts.npy -p viridis
check "recolour distance = render" recolour_equals data-dist.npy --color distance
check "mandel info reads .npy" sh -c "'$MANDEL' info data-smooth.npy | grep -q -- '--npy smooth'"

# Deep zoom: a Kalles Fraktaler location, rendered by perturbation.
"$MANDEL" render -q --location "$SOURCE/examples/locations/1e14.kfr" -s 32x18 -o deep.png
check "a .kfr location renders" test -s deep.png
# --save-location writes the view, every digit of it: rendering from it gives the same file.
"$MANDEL" render -q -c -1.99999911758838,0 -z 4e40 -i 700 -s 32x18 --save-location spot.kfr -o spot1.png
"$MANDEL" render -q --location spot.kfr -s 32x18 -o spot2.png
check "--save-location then --location: the same picture" cmp spot1.png spot2.png
check "--save-location writes Kalles Fraktaler's keys" \
    sh -c "tr -d '\r' <spot.kfr | grep -qx 'Zoom: 4e40' && grep -q '^Iterations: 700' spot.kfr"
check "and the picture carries its depth" sh -c "'$MANDEL' info deep.png | grep -q -- '--zoom 1.00e014'"

# --exact: the comment says so (--from gives the same picture again); where it cannot go yet
# (the Burning Ship at 1e300) it is refused with the reason, and nothing is written.
"$MANDEL" render -q -c -1.7497219,0.0000012 -z 1e20 -i 3000 -s 24x16 --exact -o exact1.png
check "--exact renders, and its comment says so" \
    sh -c "'$MANDEL' info exact1.png | grep -q -- '--exact'"
"$MANDEL" render -q --from exact1.png -o exact2.png
check "--from an --exact picture gives it again" cmp exact1.png exact2.png
status=0
"$MANDEL" render -q -c -1.75,0 -z 1e300 -i 100 -s 4x2 --formula burning-ship --exact \
    -o exact3.png 2>exact.err || status=$?
check "--exact for the Ship beyond 1e270: status 1, the reason, no file" \
    sh -c "[ $status -eq 1 ] && grep -q '^mandel: exact counts' exact.err && test ! -e exact3.png"

# Deep zoom in every colouring, as at shallow zooms: smooth values and distances through
# perturbation (1e50: deltas in double; 1e400: floatexp) and the MPFR engine.
deep_c=0,1
for z in 1e50 1e400; do
    check "deep $z smooth colouring" "$MANDEL" render -q -c $deep_c -z $z -i 4000 -s 32x18 \
        --color smooth -o deep-s$z.png
    check "deep $z smooth PNG is 32x18 RGB" test "$(bytes deep-s$z.png 16 10)" = 00000020000000120802
    check "deep $z distance colouring" "$MANDEL" render -q -c $deep_c -z $z -i 4000 -s 32x18 \
        --color distance -o deep-d$z.png
    check "deep $z distance PNG is 32x18 RGB" test "$(bytes deep-d$z.png 16 10)" = 00000020000000120802
    check "deep $z distance picture is not flat" sh -c "'$MANDEL' render -q -c $deep_c -z $z -i 4000 \
        -s 32x18 --color distance -o deep-d$z.ppm && test \$(tail -c 1728 deep-d$z.ppm | od -An -v -tu1 | tr -s ' ' '\n' | sort -u | wc -l) -gt 10"
done
"$MANDEL" render -q -c $deep_c -z 1e50 -i 4000 -s 32x18 --npy smooth -o deep-s.npy
check "deep --npy smooth: float32 header" sh -c "head -c 80 deep-s.npy | grep -q \"'descr': '<f4'.*'shape': (18, 32)\""
check "deep --npy smooth: 32x18 floats" test "$(npy_body deep-s.npy | wc -c)" -eq 2304
"$MANDEL" render -q -c $deep_c -z 1e50 -i 4000 -s 32x18 --npy distance -o deep-d.npy
check "deep --npy distance: 32x18 floats" test "$(npy_body deep-d.npy | wc -c)" -eq 2304
V="-c $deep_c -z 1e50 -i 4000 -s 32x18"
check "deep recolour distance = render" recolour_equals deep-d.npy --color distance
check "deep recolour smooth = render" recolour_equals deep-s.npy
check "deep smooth with the MPFR engine" "$MANDEL" render -q --engine mpfr -c $deep_c -z 1e50 \
    -i 4000 -s 8x4 --color smooth -o deep-mpfr.png

# Help and version.
check "mandel --help" sh -c "'$MANDEL' --help | grep -q '^Usage: mandel <command>'"
check "mandel render --help" sh -c "'$MANDEL' render --help | grep -q -- '--iterations N'"
check "mandel bench --help" sh -c "'$MANDEL' bench --help | grep -q -- '--repeat N'"
check "mandel --version" sh -c "'$MANDEL' --version | grep -Eq '^mandel [0-9]+\.[0-9]+\.[0-9]+$'"
check "mandel palettes lists viridis" sh -c "'$MANDEL' palettes | grep -q '^viridis'"
check "no arguments is a usage error" sh -c "'$MANDEL' 2>/dev/null; test \$? -eq 2"
check "--stats prints one line" sh -c "'$MANDEL' render -q --stats -s 64x64 -o s.png 2>&1 | grep -Eq '^mandel: [0-9.]+ s, [0-9]+ iterations, .* G iterations/s, [0-9]+ threads, kernel [a-z0-9]+$'"

echo "render: $passed passed, $failed failed"
[ $failed -eq 0 ]
