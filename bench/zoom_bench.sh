#!/bin/sh
# bench/zoom_bench.sh - mandel zoom against rendering every frame directly (--exact), and
# the quality of its frames, on the Kalles Fraktaler 1e14 and 1e50 locations.
#
#   bench/zoom_bench.sh [LOCATION...]      (default: 1e14 1e50; from examples/locations/)
#   MANDEL=build/mandel SIZE=640x360 FPS=30 SPD=1 SAMPLES=12 SEAMS=3 AA=2 REF4=0 \
#       WINDOWS=0 KEEP= bench/zoom_bench.sh
#
# REF4=1: every sample also rendered directly with --aa 4; KEEP=DIR: the frames and direct
# renders are copied to DIR (before the seams are measured).
#
# WINDOWS=K (for zooms too long to make whole here, 1e50: its 166 doublings of keyframes at
# 640x360 take hours on this shared VM): instead of the whole zoom, time K one-doubling
# windows spread evenly over the zoom (`mandel zoom --from-zoom Z/1.99 -z Z`: one keyframe
# and its 30 frames, which computes its own reference orbit, so the estimate is high) and
# extrapolate: doublings x their mean; the direct samples are frames of those windows.
#
# For each location, at SIZE, FPS frames a second, SPD seconds a doubling, --aa 2:
#   - time `mandel zoom ... -o frames/%05d.ppm` (keyframes + every frame, PNG writing
#     included), one run;
#   - time SAMPLES frames spread evenly over the zoom rendered directly (`mandel render` of
#     the frame's own view, --aa 2 and --aa 1; what --exact does for every frame) and
#     extrapolate to all N frames: N x their mean. The direct renders run half before and
#     half after the zoom run (interleaved: this VM's speed drifts);
#   - PSNR of the zoom's frames against the direct --aa 2 renders (ffmpeg's psnr filter,
#     RGB): min and mean over the samples, and the samples as one video through the filter
#     (its average: the PSNR of the mean squared error over the frames);
#   - seams: at SEAMS keyframe handovers (frame f at a keyframe's own zoom, f+1 cut from
#     the next keyframe at twice the density), the PSNR from frame f to f+1 of the zoom
#     against the same of the direct renders: a seam would make the zoom's step larger
#     (lower PSNR) than the motion itself; and each side's PSNR against its direct render.
# Every timed command runs under flock /tmp/mandel-bench.lock. Needs ffmpeg.
set -eu
cd "$(dirname "$0")/.."
MANDEL=${MANDEL:-build/mandel}
SIZE=${SIZE:-640x360}
FPS=${FPS:-30}
SPD=${SPD:-1}
SAMPLES=${SAMPLES:-12}
SEAMS=${SEAMS:-3}
AA=${AA:-2}
REF4=${REF4:-0}
LOCK="flock /tmp/mandel-bench.lock"
command -v ffmpeg >/dev/null || { echo "zoom_bench: needs ffmpeg" >&2; exit 1; }
work=$(mktemp -d /tmp/mandel-zoom-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

# seconds COMMAND...: runs it under the lock, prints its wall time
seconds() {
    $LOCK sh -c 's=$(date +%s.%N); "$@" || exit 1; e=$(date +%s.%N); echo "$e - $s" | bc' sh "$@"
}
# psnr A B: average PSNR (dB) of two pictures, RGB
psnr() {
    ffmpeg -hide_banner -nostdin -i "$1" -i "$2" -lavfi "[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr" \
        -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p'
}
key() { sed -n "s/^$1: //p" "$2" | tr -d '\r'; }

for name in ${*:-1e14 1e50}; do
    kfr=examples/locations/$name.kfr
    re=$(key Re "$kfr") im=$(key Im "$kfr") zoom=$(key Zoom "$kfr") iters=$(key Iterations "$kfr")
    dir=$work/$name
    mkdir -p "$dir/frames" "$dir/direct"
    # the frame count and each frame's zoom, as mandel zoom computes them
    doublings=$(awk -v z="$zoom" 'BEGIN { printf "%.17g", log(z) / log(2) }')
    per=$(awk -v f="$FPS" -v s="$SPD" 'BEGIN { printf "%.17g", f * s }')
    n=$(awk -v d="$doublings" -v p="$per" 'BEGIN { printf "%d", int(d * p + 1e-9) + 1 }')
    frame_zoom() { awk -v z="$zoom" -v n="$n" -v f="$1" -v p="$per" \
        'BEGIN { printf "%.17g", z / 2 ^ ((n - 1 - f) / p) }'; }
    # samples spread evenly (the middle of SAMPLES equal parts); seams: frames at a
    # keyframe's zoom (n-1-f a multiple of per) and the next
    uniform=$(awk -v n="$n" -v s="$SAMPLES" 'BEGIN { for (i = 0; i < s; i++) print int((i + 0.5) * n / s) }')
    seams=$(awk -v n="$n" -v p="$per" -v s="$SEAMS" 'BEGIN {
        for (i = 1; i <= s; i++) { f = n - 1 - p * int(i * (n - 1) / p / (s + 1)); print f - 0 }
    }')
    direct() { # direct F AA: renders frame F directly, prints its seconds
        seconds "$MANDEL" render -q -c "$re,$im" -z "$(frame_zoom "$1")" -i "$iters" -s "$SIZE" \
            --aa "$2" -o "$dir/direct/$1-aa$2.ppm"
    }
    t_aa2=0 t_aa1=0 k=0
    half=$((SAMPLES / 2))
    if [ "${WINDOWS:-0}" -gt 0 ]; then
        # K windows: the doubling ending at frame w (one keyframe at w's zoom, frames
        # w-P+1..w); samples: SAMPLES/K frames of each window, spread over it
        windows=$(awk -v n="$n" -v p="$per" -v k="$WINDOWS" 'BEGIN {
            for (i = 0; i < k; i++) print n - 1 - p * int((i + 0.5) * (n - 1 - p) / p / k) }')
        uniform=$(echo "$windows" | awk -v p="$per" -v s="$SAMPLES" -v k="$WINDOWS" '{
            m = int(s / k); for (i = 0; i < m; i++) print $1 - int((i + 0.5) * p / m) }')
        seams=""
        t_zoom=0
        for w in $windows; do
            zw=$(frame_zoom "$w")
            zfrom=$(awk -v z="$zw" 'BEGIN { printf "%.17g", z / 1.99 }')
            mkdir -p "$dir/w$w"
            t=$(seconds "$MANDEL" zoom -q -c "$re,$im" -z "$zw" --from-zoom "$zfrom" -i "$iters" \
                -s "$SIZE" --fps "$FPS" --seconds-per-doubling "$SPD" --aa "$AA" \
                --cache "$dir/cache" -o "$dir/w$w/%05d.ppm")
            t_zoom=$(echo "$t_zoom + $t" | bc)
            # frame i of the window is frame w - (window frames - 1) + i of the zoom
            m=$(ls "$dir/w$w" | wc -l)
            for f in $(echo "$uniform" | awk -v w="$w" -v p="$per" '$1 <= w && $1 > w - p'); do
                cp "$dir/w$w/$(printf %05d $((f - w + m - 1))).ppm" "$(printf '%s/frames/%05d.ppm' "$dir" "$f")"
                t_aa2=$(echo "$t_aa2 + $(direct "$f" 2)" | bc)
                t_aa1=$(echo "$t_aa1 + $(direct "$f" 1)" | bc)
            done
        done
        windows_seconds=$t_zoom
        t_zoom=$(echo "$t_zoom / $WINDOWS * $doublings" | bc -l)
    else
    for f in $(echo "$uniform" | head -n "$half"); do
        t_aa2=$(echo "$t_aa2 + $(direct "$f" 2)" | bc)
        t_aa1=$(echo "$t_aa1 + $(direct "$f" 1)" | bc)
    done
    t_zoom=$(seconds "$MANDEL" zoom -q -c "$re,$im" -z "$zoom" -i "$iters" -s "$SIZE" --fps "$FPS" \
        --seconds-per-doubling "$SPD" --aa "$AA" --cache "$dir/cache" -o "$dir/frames/%05d.ppm")
    for f in $(echo "$uniform" | tail -n +"$((half + 1))"); do
        t_aa2=$(echo "$t_aa2 + $(direct "$f" 2)" | bc)
        t_aa1=$(echo "$t_aa1 + $(direct "$f" 1)" | bc)
    done
    fi
    SAMPLES=$(echo "$uniform" | wc -l)
    exact2=$(echo "$t_aa2 / $SAMPLES * $n" | bc -l)
    exact1=$(echo "$t_aa1 / $SAMPLES * $n" | bc -l)
    printf '%s: %s frames (%.2f doublings), %s, %s fps, %s s a doubling, mandel zoom --aa %s\n' \
        "$name" "$n" "$doublings" "$SIZE" "$FPS" "$SPD" "$AA"
    if [ "${WINDOWS:-0}" -gt 0 ]; then
        printf '  mandel zoom (est.):     %8.1f s  (%s one-doubling windows: %.1f s)\n' "$t_zoom" \
            "$WINDOWS" "$windows_seconds"
    else
        printf '  mandel zoom:            %8.1f s\n' "$t_zoom"
    fi
    printf '  direct --aa 2 (est.):   %8.1f s  (%s frames, mean %.3f s)  = %.1fx the zoom\n' \
        "$exact2" "$SAMPLES" "$(echo "$t_aa2 / $SAMPLES" | bc -l)" "$(echo "$exact2 / $t_zoom" | bc -l)"
    printf '  direct --aa 1 (est.):   %8.1f s  (mean %.3f s)  = %.1fx the zoom\n' \
        "$exact1" "$(echo "$t_aa1 / $SAMPLES" | bc -l)" "$(echo "$exact1 / $t_zoom" | bc -l)"
    # quality: every uniform sample against its direct render, --aa 2 and --aa $AA
    summary() { awk -v what="$1" '{ m = 1e9; s = 0; for (i = 1; i <= NF; i++) { v = ($i == "inf") ? 99 : $i; s += v; if (v < m) m = v }
        printf "  PSNR %s: min %.1f dB, mean %.1f dB over %d frames (%s)\n", what, m, s / NF, NF, substr($0, 2) }'; }
    list="" list_same="" list4="" list24=""
    i=0
    for f in $uniform; do
        zf=$(printf '%s/frames/%05d.ppm' "$dir" "$f")
        list="$list $(psnr "$zf" "$dir/direct/$f-aa2.ppm")"
        list_same="$list_same $(psnr "$zf" "$dir/direct/$f-aa$AA.ppm")"
        # REF4=1: every sample also against a direct --aa 4 render, a closer picture of
        # the truth, as direct --aa 2 is measured against it too
        if [ "$REF4" = 1 ]; then
            "$MANDEL" render -q -c "$re,$im" -z "$(frame_zoom "$f")" -i "$iters" -s "$SIZE" \
                --aa 4 -o "$dir/direct/$f-aa4.ppm"
            list4="$list4 $(psnr "$zf" "$dir/direct/$f-aa4.ppm")"
            list24="$list24 $(psnr "$dir/direct/$f-aa2.ppm" "$dir/direct/$f-aa4.ppm")"
        fi
        i=$((i + 1))
    done
    echo "$list" | summary "zoom against direct --aa 2"
    # pooled WHAT A B: the samples' pictures A and B (zoom, aa2, aa4) as two videos through
    # ffmpeg's psnr filter: its "average" is the PSNR of the mean squared error over all
    # their frames, "min" the worst frame's
    pic() { [ "$1" = zoom ] && printf '%s/frames/%05d.ppm' "$dir" "$2" || echo "$dir/direct/$2-$1.ppm"; }
    pooled() {
        rm -rf "$dir/seq_a" "$dir/seq_b"
        mkdir -p "$dir/seq_a" "$dir/seq_b"
        i=0
        for f in $uniform; do
            cp "$(pic "$2" "$f")" "$(printf '%s/seq_a/%03d.ppm' "$dir" "$i")"
            cp "$(pic "$3" "$f")" "$(printf '%s/seq_b/%03d.ppm' "$dir" "$i")"
            i=$((i + 1))
        done
        ffmpeg -hide_banner -nostdin -i "$dir/seq_a/%03d.ppm" -i "$dir/seq_b/%03d.ppm" \
            -lavfi "[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr" -f null - 2>&1 |
            sed -n "s/.*average:\([0-9.inf]*\) min:\([0-9.inf]*\).*/  ffmpeg psnr, the samples as a video, $1: average \1 dB, min \2 dB/p"
    }
    pooled "zoom against direct --aa 2" zoom aa2
    [ "$AA" = 2 ] || echo "$list_same" | summary "zoom against direct --aa $AA"
    if [ -n "$list4" ]; then
        echo "$list4" | summary "zoom against direct --aa 4"
        echo "$list24" | summary "direct --aa 2 against direct --aa 4"
        # the bar's own noise: direct --aa 4, a better picture than direct --aa 2, scored
        # as the zoom is
        pooled "direct --aa 4 against direct --aa 2" aa4 aa2
        pooled "zoom against direct --aa 4" zoom aa4
    fi
    if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$dir" "$KEEP/"; fi
    # seams
    for f in $seams; do
        g=$((f + 1))
        for x in $f $g; do
            [ -e "$dir/direct/$x-aa2.ppm" ] || direct "$x" 2 >/dev/null
        done
        zf=$(printf '%s/frames/%05d.ppm' "$dir" "$f") zg=$(printf '%s/frames/%05d.ppm' "$dir" "$g")
        printf '  seam at frames %s|%s: step PSNR zoom %s dB, direct %s dB; against direct: %s | %s dB\n' \
            "$f" "$g" "$(psnr "$zf" "$zg")" "$(psnr "$dir/direct/$f-aa2.ppm" "$dir/direct/$g-aa2.ppm")" \
            "$(psnr "$zf" "$dir/direct/$f-aa2.ppm")" "$(psnr "$zg" "$dir/direct/$g-aa2.ppm")"
    done
    # and a step inside a keyframe's interval, for scale
    [ -n "$seams" ] || continue
    f=$(echo "$seams" | head -n 1)
    f=$((f - 15))
    g=$((f + 1))
    for x in $f $g; do [ -e "$dir/direct/$x-aa2.ppm" ] || direct "$x" 2 >/dev/null; done
    printf '  inside an interval, frames %s|%s: step PSNR zoom %s dB, direct %s dB\n' "$f" "$g" \
        "$(psnr "$(printf '%s/frames/%05d.ppm' "$dir" "$f")" "$(printf '%s/frames/%05d.ppm' "$dir" "$g")")" \
        "$(psnr "$dir/direct/$f-aa2.ppm" "$dir/direct/$g-aa2.ppm")"
    rm -rf "$dir"
done
