#!/bin/sh
# mandel zoom without the real ffmpeg: the .y4m's header, size and frame count; frames at a
# keyframe's zoom equal the direct render's smooth values (.npy frames against mandel
# render --npy smooth); the shared reference orbit against a fresh orbit a frame at 1e50;
# a run interrupted and started again gives the same video; bad options, a missing ffmpeg
# and a failing one (a fake on PATH) get one line and leave nothing behind.
#   MANDEL=path/to/mandel SOURCE=source-dir tests/cli/zoom.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the source directory}"
harness=zoom
. "$(dirname "$0")/harness.sh"
loc=$SOURCE/examples/locations

# --- .y4m: header, frame count and size --------------------------------------------------
# 6 doublings from zoom 1 to 64 at 10 frames a doubling: 61 frames.
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 160x90 --fps 10 -o a.y4m 2>err.txt
check "a .y4m is written (exit 0, nothing on stderr)" test $? -eq 0 -a ! -s err.txt
header=$(head -n 1 a.y4m)
check "y4m header: $header" test "$header" = "YUV4MPEG2 W160 H90 F10:1 Ip A1:1 C420jpeg"
# each frame: 'FRAME\n' and 160*90 luma + 2 * 80*45 chroma bytes
want=$((${#header} + 1 + 61 * (6 + 160 * 90 + 2 * 80 * 45)))
check "y4m holds 61 frames of 160x90: $(wc -c <a.y4m) bytes, want $want" \
    test "$(wc -c <a.y4m)" -eq "$want"
check "no cache or temporary left: $(ls -A | tr '\n' ' ')" test "$(ls -A)" = "a.y4m
err.txt"
# odd sizes: chroma rounds up
"$MANDEL" zoom -q -c -0.75,0.1 -z 4 -s 15x9 --fps 2 -o odd.y4m
header=$(head -n 1 odd.y4m)
check "odd-size y4m: 5 frames of 15x9 (8x5 chroma)" \
    test "$(wc -c <odd.y4m)" -eq $((${#header} + 1 + 5 * (6 + 15 * 9 + 2 * 8 * 5)))
# --duration gives the frame count: 6 doublings in 3 s at 10 fps = 31 frames
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 16x10 --duration 3 --fps 10 -o d.y4m
header=$(head -n 1 d.y4m)
check "--duration 3 at 10 fps: 31 frames" \
    test "$(wc -c <d.y4m)" -eq $((${#header} + 1 + 31 * (6 + 16 * 10 + 2 * 8 * 5)))
rm -f a.y4m odd.y4m d.y4m err.txt

# --- frames at a keyframe's zoom are the direct render's smooth values ---------------------
# data() prints the .npy's values as hex (the last W*H*4 bytes: the header differs).
data() { tail -c "$2" "$1" | od -An -tx1 -v; }
mkdir f
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 40x30 --fps 4 -o f/%05d.npy
check "24 doublings' frames + 1: 25 .npy frames" test "$(ls f | wc -l)" -eq 25
n=$((40 * 30 * 4))
for k in 0 1 2 3 6; do
    frame=$(printf 'f/%05d.npy' $((24 - 4 * k)))
    zoom=$((64 >> k))
    "$MANDEL" render -q -c -0.75,0.1 -z $zoom -s 40x30 --npy smooth -o direct.npy
    check "frame at keyframe zoom $zoom ($frame) = mandel render --npy smooth" \
        test "$(data "$frame" $n)" = "$(data direct.npy $n)"
done
# and a frame between keyframes is not (the test could fail)
"$MANDEL" render -q -c -0.75,0.1 -z 45.254833995939045 -s 40x30 --npy smooth -o direct.npy
check "a frame between keyframes is interpolated, not the direct render" \
    test "$(data f/00022.npy $n)" != "$(data direct.npy $n)"
rm -rf f direct.npy
# with anti-aliasing, the keyframes hold the samples: a frame at a keyframe's zoom is the
# picture 'mandel render --aa 2' makes, byte for byte (.ppm: no comment)
mkdir f
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 40x30 --fps 4 --aa 2 -o f/%05d.ppm
for k in 0 2 5; do
    "$MANDEL" render -q -c -0.75,0.1 -z $((64 >> k)) -s 40x30 --aa 2 -o direct.ppm
    check "--aa 2: frame at keyframe zoom $((64 >> k)) = mandel render --aa 2" \
        cmp -s "$(printf 'f/%05d.ppm' $((24 - 4 * k)))" direct.ppm
done
# --out: the same frames, last first
mkdir o
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 40x30 --fps 4 --aa 2 --out -o o/%05d.ppm
same=0
for k in $(seq 0 24); do
    cmp -s "$(printf 'f/%05d.ppm' $k)" "$(printf 'o/%05d.ppm' $((24 - k)))" && same=$((same + 1))
done
check "--out: the zoom's 25 frames in reverse ($same)" test $same -eq 25
# --radius R is --zoom 2/R
"$MANDEL" zoom -q -c -0.75,0.1 -r 0.03125 -s 40x30 --fps 4 --aa 2 -o r.y4m
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 40x30 --fps 4 --aa 2 -o z.y4m
check "--radius 0.03125 makes the video of --zoom 64" cmp -s r.y4m z.y4m
rm -rf f o r.y4m z.y4m direct.ppm

# --- the deepest keyframe's orbit, shared, against a fresh orbit for every frame -----------
# At 1e50 every keyframe renders with the perturbation engine: the keyframes adopt the
# deepest one's orbit; --exact renders each frame with its own. One frame a doubling: every
# frame sits on a keyframe's zoom.
mkdir shared fresh
"$MANDEL" zoom -q --location "$loc/1e50.kfr" -s 32x18 --fps 1 --from-zoom 1e48 \
    -o shared/%05d.npy
"$MANDEL" zoom -q --location "$loc/1e50.kfr" -s 32x18 --fps 1 --from-zoom 1e48 --exact \
    -o fresh/%05d.npy
check "1e50: 7 frames" test "$(ls shared | wc -l)" -eq 7
same=0
for f in shared/*; do cmp -s "$f" "fresh/${f#shared/}" && same=$((same + 1)); done
check "1e50: the shared orbit's frames equal a fresh orbit's ($same of 7)" test $same -eq 7
rm -rf shared fresh

# --- an interrupted run continues from its keyframes --------------------------------------
args="-q -c -0.7436438870371587,0.1318259042053119 -z 1e12 -s 96x54 -i 5000 --fps 4"
"$MANDEL" zoom $args --cache whole-cache -o whole.y4m
check "the cache is removed after a whole run" test ! -e whole-cache
# a run stopped at some point (whenever the signal lands), then the same command
mkdir part
"$MANDEL" zoom $args -o part/v.y4m &
pid=$!
sleep 0.5
kill -INT $pid 2>/dev/null
wait $pid
code=$?
if [ $code -eq 130 ]; then
    # (a signal before the first keyframe was written leaves no cache either)
    left=$(ls -A part | grep -v -x .mandel-zoom-cache)
    check "interrupted: no video, no temporary ($left)" test -z "$left"
    mkdir -p part/.mandel-zoom-cache
    # keep only some keyframes, as a run stopped earlier would
    ls part/.mandel-zoom-cache/*.npy 2>/dev/null | tail -n +2 | xargs rm -f
else
    echo "note: the run ended before the signal ($code); resuming from a partial cache"
    mkdir -p part/.mandel-zoom-cache
fi
"$MANDEL" zoom $args -o part/v.y4m
check "resumed: the same video as an uninterrupted run" cmp -s whole.y4m part/v.y4m
check "resumed: the cache is gone" test ! -e part/.mandel-zoom-cache
# a cache with keyframes of the same names but damaged: rendered again, same video
mkdir kept
"$MANDEL" zoom $args -o kept/v.y4m --cache kept/c &
pid=$!
sleep 0.5
kill -TERM $pid 2>/dev/null
wait $pid
for f in kept/c/*.npy; do [ -e "$f" ] && head -c 100 "$f" >"$f.x" && mv "$f.x" "$f"; done
"$MANDEL" zoom $args -o kept/v.y4m --cache kept/c
check "a damaged cache is rendered again: the same video" cmp -s whole.y4m kept/v.y4m
rm -rf part kept whole.y4m

# --- bad input: one line, the right exit code, nothing left --------------------------------
# expect EXIT 'GLOB' ARGS...: run in an empty directory t/
expect() {
    want=$1 glob=$2
    shift 2
    mkdir t
    (cd t && "$@") >out.txt 2>err.txt
    got=$?
    err=$(cat err.txt)
    lines=$(wc -l <err.txt)
    left=$(ls -A t)
    ok=1
    [ "$got" -eq "$want" ] || ok=0
    [ "$lines" -eq 1 ] || ok=0
    case "$err" in "mandel: "$glob) ;; *) ok=0 ;; esac
    [ -z "$left" ] || ok=0
    check "$* -> exit $got (want $want), '$err' (want 'mandel: $glob'), left: '$left'" \
        test $ok -eq 1
    rm -rf t out.txt err.txt
}
Z="$MANDEL zoom -q -c -0.75,0.1 -s 32x18"
expect 2 "--fps '0': must be 1..240" $Z -z 8 --fps 0 -o v.y4m
expect 2 "--fps '241': must be 1..240" $Z -z 8 --fps 241 -o v.y4m
expect 2 "--fps: missing value (see 'mandel zoom --help')" $Z -z 8 -o v.y4m --fps
expect 2 "--seconds-per-doubling '0': must be 0.01..3600" $Z -z 8 --seconds-per-doubling 0 -o v.y4m
expect 2 "--duration 'x': *" $Z -z 8 --duration x -o v.y4m
expect 2 "--seconds-per-doubling and --duration say the same thing; give one" $Z -z 8 --duration 2 --seconds-per-doubling 1 -o v.y4m
expect 2 "--from-zoom '100': must be below the zoom of the view, 8" $Z -z 8 --from-zoom 100 -o v.y4m
expect 2 "--from-zoom '8': must be below the zoom of the view, 8" $Z -z 8 --from-zoom 8 -o v.y4m
expect 2 "--from-zoom '-1': *" $Z -z 8 --from-zoom -1 -o v.y4m
expect 2 "--zoom '0': *" $Z -z 0 -o v.y4m
expect 1 "the view is deeper than this build supports*" $Z -z 1e99999999 --duration 10 -o v.y4m
expect 2 "zoom: * frames (* doublings at 30 frames a doubling); at most 2160000" $Z -z 1e30000 -o v.y4m
expect 2 "zoom: give the view to zoom to: --center with --zoom (or --radius), or --location FILE" $Z -o v.y4m
expect 2 "-o 'v.avi': unknown extension (use .mp4, .webm, .mkv, .y4m, or a frame pattern such as frames/%05d.png)" $Z -z 8 -o v.avi
expect 2 "-o 'f/%05d.gif': frames are .png, .jpg, .ppm or .npy (smooth values)" $Z -z 8 -o f/%05d.gif
expect 2 "-o 'f/%d%d.png': a frame pattern holds one %d (or %05d), and %% for a percent sign" $Z -z 8 -o f/%d%d.png
expect 2 "-o 'f/%s.png': a frame pattern holds one %d (or %05d), and %% for a percent sign" $Z -z 8 -o f/%s.png
expect 2 "--palette 'viridis': it maps each picture's own range of values*" $Z -z 8 -p viridis -o v.y4m
expect 2 "zoom: --bounds (a zoom has a centre: --center with --zoom) is not an option of a zoom" $MANDEL zoom -q --bounds -2,1,-1,1 -o v.y4m
expect 2 "zoom: --color other than smooth is not an option of a zoom" $Z -z 8 --color count -o v.y4m
expect 2 "--aa 2: .npy frames hold smooth values, one a pixel" $Z -z 8 --aa 2 -o f%03d.npy
expect 2 "--size '33x18': .mp4 video needs an even width and height (4:2:0 colour)" $MANDEL zoom -q -c 0,0 -z 8 -s 33x18 -o v.mp4
expect 1 "cannot create 'no/such/dir/v.y4m': No such file or directory" $Z -z 8 -o no/such/dir/v.y4m
expect 1 "-o 'no/such/%05d.png': cannot write into 'no/such': No such file or directory" $Z -z 8 -o no/such/%05d.png
expect 2 "unknown option '--bogus' (see 'mandel render --help')" $Z -z 8 --bogus -o v.y4m

# --- ffmpeg missing, failing, or stopping early: one line, nothing left -------------------
mkdir bin
# no ffmpeg on PATH at all
expect 1 "-o 'v.mp4': .mp4 video is made by the ffmpeg program, which is not on PATH (Debian: apt-get install ffmpeg); .y4m needs no ffmpeg" \
    env PATH="$dir/bin" $Z -z 8 -o v.mp4
# an ffmpeg that refuses at once, before reading a frame
printf '#!/bin/sh\necho "Unknown encoder libx264" >&2\nexit 1\n' >bin/ffmpeg
chmod +x bin/ffmpeg
expect 1 "ffmpeg * (exit status 1): Unknown encoder libx264; no video written" \
    env PATH="$dir/bin:$PATH" $Z -z 64 -o v.mp4
# one that reads every frame and then fails
printf '#!/bin/sh\ncat >/dev/null\necho "disk full" >&2\nexit 3\n' >bin/ffmpeg
expect 1 "ffmpeg failed (exit status 3): disk full; no video written" \
    env PATH="$dir/bin:$PATH" $Z -z 64 -o v.webm
# one that stops reading after a few bytes, saying nothing
printf '#!/bin/sh\nhead -c 1000 >/dev/null\nexit 0\n' >bin/ffmpeg
expect 1 "ffmpeg stopped reading frames (exit status 0); no video written" \
    env PATH="$dir/bin:$PATH" $Z -z 1e6 -o v.mkv
# one that takes everything, exits 0 and writes nothing
printf '#!/bin/sh\ncat >/dev/null\nexit 0\n' >bin/ffmpeg
expect 1 "ffmpeg exited 0 but wrote nothing; no video written" \
    env PATH="$dir/bin:$PATH" $Z -z 64 -o v.mp4
# one killed by a signal
printf '#!/bin/sh\nkill -KILL $$\n' >bin/ffmpeg
expect 1 "ffmpeg * (killed by signal 9); no video written" \
    env PATH="$dir/bin:$PATH" $Z -z 64 -o v.mp4
rm -rf bin

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
