#!/bin/sh
# The page's figures (bench/web_bench.mjs) under the benchmark lock, so no other timing runs
# at the same time:   bench/web_bench.sh [path/to/mandel]     (SIZE=WxH REPEAT=n)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
exec flock /tmp/mandel-bench.lock node "$here/bench/web_bench.mjs" "$@"
