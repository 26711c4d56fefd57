#!/bin/sh
# The Python package's tests (python/tests, pytest) against the built library and program.
# Exits 77 (Skipped) only when the interpreter lacks numpy or pytest (Debian's
# python3-numpy, python3-pytest: scripts/install-deps.sh installs both).
#   PYTHON=/usr/bin/python3 MANDEL_LIBRARY=build/libmandel.so.0 MANDEL_CLI=build/mandel \
#   SOURCE=. [SANITIZE=1] tests/cli/python.sh
set -u
: "${PYTHON:?}" "${MANDEL_LIBRARY:?}" "${MANDEL_CLI:?}" "${SOURCE:?}"
for module in numpy pytest; do
    if ! "$PYTHON" -c "import $module" 2>/dev/null; then
        echo "python: $PYTHON cannot import $module (python3-$module): skipped"
        exit 77
    fi
done
if [ "${SANITIZE:-0}" = 1 ]; then
    # A sanitized libmandel inside an unsanitized interpreter: its runtimes must come first.
    # The interpreter's own allocations are not ours to check for leaks.
    LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
    ASAN_OPTIONS=detect_leaks=0
    export LD_PRELOAD ASAN_OPTIONS
fi
export PYTHONPATH="$SOURCE/python" PYTHONDONTWRITEBYTECODE=1 MANDEL_LIBRARY MANDEL_CLI
exec "$PYTHON" -m pytest -q -p no:cacheprovider "$SOURCE/python/tests"
