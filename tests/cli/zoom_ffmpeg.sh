#!/bin/sh
# mandel zoom through the real ffmpeg: .mp4 (H.264, yuv420p), .webm (VP9) and .mkv with the
# frame count and size ffprobe reads; the .mp4's frames against the .y4m's. Skipped (77)
# without ffmpeg and ffprobe (Debian: ffmpeg).
#   MANDEL=path/to/mandel SOURCE=source-dir tests/cli/zoom_ffmpeg.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
    echo "SKIP: no ffmpeg/ffprobe (Debian: ffmpeg)"
    exit 77
fi
harness=zoom-ffmpeg
. "$(dirname "$0")/harness.sh"

# probe FILE: "codec width height pix_fmt frames"
probe() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries \
        stream=codec_name,width,height,pix_fmt,nb_read_frames -of csv=p=0 "$1" | tr ',' ' '
}
# 6 doublings at 10 frames a doubling: 61 frames
for ext in mp4 webm mkv; do
    "$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 160x90 --fps 10 -o v.$ext 2>err.txt
    check "$ext: exit 0, nothing on stderr ($(cat err.txt))" test $? -eq 0 -a ! -s err.txt
    got=$(probe v.$ext)
    case $ext in
    webm) want="vp9 160 90 yuv420p 61" ;;
    *) want="h264 160 90 yuv420p 61" ;;
    esac
    check "$ext: ffprobe says '$got', want '$want'" test "$got" = "$want"
done
# faststart: the moov box comes before the mdat box
check "mp4: faststart (moov before mdat)" \
    test "$(grep -a -o -m1 -e moov -e mdat v.mp4 | head -n 1)" = moov
rate=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 v.mp4)
check "mp4: 10 frames a second ($rate)" test "$rate" = "10/1"
# The same frames as the .y4m, up to the codec: PSNR above 35 dB.
"$MANDEL" zoom -q -c -0.75,0.1 -z 64 -s 160x90 --fps 10 -o v.y4m
psnr=$(ffmpeg -hide_banner -nostdin -i v.mp4 -i v.y4m -lavfi psnr -f null - 2>&1 |
    sed -n 's/.*average:\([0-9.inf]*\).*/\1/p')
check "mp4 against y4m: PSNR $psnr dB >= 35" \
    awk -v p="$psnr" 'BEGIN { exit !(p == "inf" || p + 0 >= 35) }'
check "nothing else left: $(ls -A | tr '\n' ' ')" test "$(ls -A | tr '\n' ' ')" = "err.txt v.mkv v.mp4 v.webm v.y4m "
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
