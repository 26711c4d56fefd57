# tests/cli/harness.sh - what the shell tests share, sourced once a test has checked its
# environment (and exited 77 if it cannot run): a scratch directory, removed at exit, that
# the test runs inside; the counters; and check(). The test sets `harness` to its name (the
# scratch directory's prefix) first, and ends with its "N passed, N failed" line.
#   harness=render
#   . "$(dirname "$0")/harness.sh"
dir=$(mktemp -d "/tmp/mandel-${harness:?set harness to the test name}-XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failed=0 passed=0

check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
