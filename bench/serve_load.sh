#!/bin/sh
# bench/serve_load.sh - mandel serve under load: wrk (Debian's `wrk`) with 64 connections
# for 20 s on a mix of tile requests (bench/serve_load.lua: cached home and 1e14 tiles,
# data and coloured, and never-seen coloured tiles that each need a render), against a server on 127.0.0.1 started
# here (--cache-mb 64, --threads 2, --per-ip 64) and stopped after. Reports: every status (anything
# other than 2xx, 304 or 503 is a failure), that the server still answers afterwards,
# its peak RSS (VmHWM) against --cache-mb plus the deep-state bound of docs/server.md,
# and the latency of cached tiles alone (64 connections, 10 s; target p99 < 20 ms).
# Run under the bench lock:  flock /tmp/mandel-bench.lock sh bench/serve_load.sh build/mandel
set -eu
MANDEL=${1:-build/mandel}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE_MB=64
if ! command -v wrk >/dev/null 2>&1; then
    echo "serve_load.sh: wrk is not installed (Debian: apt-get install wrk)" >&2
    exit 1
fi
out=$(mktemp)
# one client address opens all 64 connections: the per-address limit must allow them
"$MANDEL" serve --port 0 --threads 2 --cache-mb $CACHE_MB --per-ip 64 --max-connections 128 \
    >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q 'http://' "$out" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out" | head -1)
[ -n "$url" ] || { echo "serve_load.sh: the server printed no URL: $(cat "$out")" >&2; exit 1; }
echo "server $url (pid $pid)"
# Warm-up: the tiles the mix asks for again (the home view and the 1e14 location).
deep='center=-1.759817130804847813610825010561798238243999999999999999999800,-0.012593310799749865383746631843264858450340000000000000000000&zoom=1.00e014&size=1920x1080&iterations=4036&format=png'
for ty in 0 1 2 3 4; do
    for tx in 0 1 2 3 4 5 6 7; do
        curl -s -o /dev/null "$url/tile?size=1920x1080&iterations=1000&data=smooth&tile=$tx,$ty"
        curl -s -o /dev/null "$url/tile?size=1920x1080&iterations=1000&format=png&tile=$tx,$ty"
        curl -s -o /dev/null "$url/tile?$deep&tile=$tx,$ty"
    done
done
echo "warm: rss $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
echo "== mix: 64 connections, 20 s"
wrk -t 4 -c 64 -d 20s --timeout 10s -s "$HERE/serve_load.lua" "$url" | tee /tmp/serve_load_mix.txt
bad=$(grep '^statuses:' /tmp/serve_load_mix.txt | tr ' ' '\n' | grep '=' | grep -v -E '^(2[0-9][0-9]|304|503)=' || true)
echo "== cached tiles only: 64 connections, 10 s"
wrk -t 4 -c 64 -d 10s --timeout 10s -s "$HERE/serve_load.lua" "$url" -- cached |
    tee /tmp/serve_load_cached.txt
echo "== cached tiles only: 8 connections, 10 s"
wrk -t 4 -c 8 -d 10s --timeout 10s -s "$HERE/serve_load.lua" "$url" -- cached |
    tee -a /tmp/serve_load_cached.txt
grep -q 'non-2xx/3xx=[1-9]' /tmp/serve_load_cached.txt && bad="$bad cached:non-2xx" || true
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/api/info")
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "afterwards: /api/info $code; peak RSS $((hwm / 1024)) MiB against --cache-mb $CACHE_MB" \
     "+ the deep-state bound (docs/server.md)"
kill -TERM $pid
wait $pid && echo "SIGTERM: exit 0" || echo "SIGTERM: exit $?"
trap - EXIT
rm -f "$out"
[ -z "$bad" ] && [ "$code" = 200 ] || { echo "FAILED: statuses '$bad', info $code"; exit 1; }
