#!/bin/sh
# mandel's .npy files as numpy reads them: the tutorial's counts, a Julia set, smooth values,
# distances, the Burning Ship, and smooth values and distances at depth. Needs Debian's
# python3-numpy (scripts/install-deps.sh installs it); without it the test exits 77, which
# ctest reports as Skipped.
#   MANDEL=path/to/mandel SOURCE=path/to/repository tests/cli/numpy.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the repository}"
PY=/usr/bin/python3
if ! $PY -c 'import numpy' 2>/dev/null; then
    echo "numpy: python3-numpy is not installed: skipped"
    exit 77
fi
harness=numpy
. "$(dirname "$0")/harness.sh"

gzip -dc "$SOURCE/tests/data/seed_400x400_1000.u32.gz" >seed.u32
"$MANDEL" render -q --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -o tut.npy
check "numpy.load reads the tutorial's counts" $PY -c "
import numpy as np, sys
a = np.load('tut.npy')
r = np.fromfile('seed.u32', dtype='<u4').reshape(400, 400)
sys.exit(0 if a.dtype == np.uint32 and a.shape == (400, 400) and (a == r).all() else 1)"

"$MANDEL" render -q --julia 0,0 -c 0,0 -r 1.5 -s 31x31 -i 100 -o disc.npy
"$MANDEL" render -q -s 64x48 -i 300 --npy smooth -o smooth.npy
"$MANDEL" render -q -s 64x48 -i 300 --npy distance -o dist.npy
"$MANDEL" render -q -s 64x48 -i 300 --formula burning-ship -c -0.5,-0.5 -r 1.5 -o ship.npy
check "Julia c=0 is the unit disc" $PY -c "
import numpy as np, sys
a = np.load('disc.npy'); y, x = np.mgrid[0:31, 0:31]
r = np.hypot((x - 15) * (3 / 31), (15 - y) * (3 / 31))
sys.exit(0 if ((a == 100) == (r <= 1)).all() else 1)"
check "smooth .npy is float32 with the limit inside" $PY -c "
import numpy as np, sys
s = np.load('smooth.npy')
sys.exit(0 if s.dtype == np.float32 and s.shape == (48, 64) and (s == 300).any() and (s < 300).any() else 1)"
check "distance .npy is 0 inside and positive outside" $PY -c "
import numpy as np, sys
d = np.load('dist.npy'); s = np.load('smooth.npy')
sys.exit(0 if ((d == 0) == (s == 300)).all() and (d[s < 300] > 0).all() else 1)"
check "Burning Ship's fixed point -0.5-0.5i is inside" $PY -c "
import numpy as np, sys
a = np.load('ship.npy'); sys.exit(0 if a[24, 32] == 300 else 1)"

# Deep zoom (perturbation, deltas in double at 1e50): smooth values and distances.
"$MANDEL" render -q -c 0,1 -z 1e50 -i 4000 -s 32x18 --npy smooth -o deep-s.npy
"$MANDEL" render -q -c 0,1 -z 1e50 -i 4000 -s 32x18 --npy distance -o deep-d.npy
check "deep distances: 0 inside, positive pixels outside, smooth values past the counts" $PY -c "
import numpy as np, sys
d = np.load('deep-d.npy'); s = np.load('deep-s.npy')
out = s < 4000
sys.exit(0 if ((d == 0) == ~out).all() and out.any() and (d[out] > 0).all() and np.isfinite(d).all()
         and 1e-3 < np.median(d[out]) < 1e3 and (s[out] >= 1).all() else 1)"

echo "numpy: $passed passed, $failed failed"
[ $failed -eq 0 ]
