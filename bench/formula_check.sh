#!/bin/sh
# The other formulas at depth against MPFR on whole pictures: each minibrot of
# tests/data/deep/ (the Burning Ship, the Tricorn, z^3..z^8 + c at zooms 1e20, 1e100 and
# 1e300, found by Newton's method: find_views.py) rendered with the perturbation engine and
# with the MPFR engine at SIZE (default 96x52), counts compared pixel by pixel.
#
#   bench/formula_check.sh [build/mandel]     SIZE=WxH  ONLY="burning-ship-2 ..."  EXACT=1
#
# EXACT=1 renders the perturbation pictures with --exact.
# Prints one line per view (equal counts, inside/outside swaps, count range, both times)
# and exits 1 if any view falls below 99.9% equal or has a swap. MPFR takes minutes in all.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
MANDEL=${1:-$here/build/mandel}
SIZE=${SIZE:-96x52}
work=$(mktemp -d /tmp/mandel-formulas-XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
for kfr in "$here"/tests/data/deep/*-[0-9]-1e*.kfr; do
    name=$(basename "$kfr" .kfr)
    formula=${name%%-[0-9]-1e*}
    rest=${name#"$formula"-}
    power=${rest%%-*}
    if [ -n "${ONLY:-}" ]; then
        case " $ONLY " in *" $formula-$power "*) ;; *) continue ;; esac
    fi
    t0=$(date +%s.%N)
    # (--exact is refused beyond zooms of about 1e270: those views without it)
    "$MANDEL" render -q --formula "$formula" --power "$power" --location "$kfr" -s "$SIZE" \
        --engine perturb ${EXACT:+--exact} --npy counts -o "$work/p.npy" 2>/dev/null ||
        "$MANDEL" render -q --formula "$formula" --power "$power" --location "$kfr" \
            -s "$SIZE" --engine perturb --npy counts -o "$work/p.npy"
    t1=$(date +%s.%N)
    "$MANDEL" render -q --formula "$formula" --power "$power" --location "$kfr" -s "$SIZE" \
        --engine mpfr --npy counts -o "$work/m.npy"
    t2=$(date +%s.%N)
    iter=$(sed -n 's/^Iterations: *\([0-9]*\).*/\1/p' "$kfr")
    python3 - "$work/p.npy" "$work/m.npy" "$name" "$t0" "$t1" "$t2" "$iter" <<'PY' || status=1
import ast, struct, sys
def counts(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<H', data[8:10])[0]
    header = ast.literal_eval(data[10:10 + n].decode())
    count = 1
    for s in header['shape']:
        count *= s
    return struct.unpack('<%dI' % count, data[10 + n:10 + n + 4 * count])
p, m = counts(sys.argv[1]), counts(sys.argv[2])
limit = int(sys.argv[7])
equal = sum(a == b for a, b in zip(p, m))
swaps = sum((a == limit) != (b == limit) for a, b in zip(p, m))
inside = sum(b == limit for b in m)
t0, t1, t2 = map(float, sys.argv[4:7])
print('%-22s %5d/%5d equal (%7.3f%%), %d in/out, %4d inside, counts %d..%d, '
      'perturb %.2f s, mpfr %.1f s' % (sys.argv[3], equal, len(m), 100.0 * equal / len(m),
      swaps, inside, min(m), limit, t1 - t0, t2 - t1))
sys.exit(0 if equal * 1000 >= len(m) * 999 and swaps == 0 else 1)
PY
done
exit $status
