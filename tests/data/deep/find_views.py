#!/usr/bin/env python3
"""Nuclei (centres of minibrots) of the Burning Ship, the Tricorn and z^d + c for the deep
views of tests/unit/test_deep_formulas.c, by Newton's method on z_P(c) = 0 with the real
2x2 Jacobian dz_P/dc (the Ship and the Tricorn are not holomorphic), in mpmath (Debian's
python3-mpmath). Not run by the tests, which read the .kfr files made with it.

    find_views.py FORMULA POWER PERIOD SEED_RE SEED_IM DIGITS
    find_views.py mandelbrot D PERIOD tip K DIGITS

prints the nucleus "re im" to DIGITS digits. Seeds used: the Ship and the Tricorn -1.99 0
(their real slices are the real Mandelbrot map x^2 + c, whose windows near -2 are minibrots
about 0.6 decades smaller each period up); z^d + c the tip of an antenna ("tip K": the
Misiurewicz point 0 -> c -> beta, beta a repelling fixed point, c = beta w, w =
exp(2 pi i K/d), K = d div 2), where nuclei of every high period accumulate. For each
formula and zoom Z in 1e20, 1e100, 1e300 the period was searched (about Z's decades times
0.6 to 2) until the 48x26 view of zoom Z around the nucleus, rendered by the perturbation
engine with Iterations = max(4000, 10 P), had between 1 and 700 interior pixels, the rest
escaping: a minibrot with its surroundings.
"""
import sys
import mpmath
from mpmath import mpf

def step(formula, power, x, y, a, b, j):
    """z <- F(z) + c and J <- DF(z) J + I (J = dz/dc as a real 2x2 matrix)."""
    if formula == 'mandelbrot':
        z = mpmath.mpc(x, y)
        zd1 = z ** (power - 1)
        d = power * zd1
        f = zd1 * z
        m = [[d.real, -d.imag], [d.imag, d.real]]
        nx, ny = f.real + a, f.imag + b
    elif formula == 'tricorn':
        m = [[2 * x, -2 * y], [-2 * y, -2 * x]]
        nx, ny = x * x - y * y + a, -2 * x * y + b
    else:
        s = 1 if x * y >= 0 else -1
        m = [[2 * x, -2 * y], [2 * s * y, 2 * s * x]]
        nx, ny = x * x - y * y + a, abs(2 * x * y) + b
    nj = [[m[0][0] * j[0][0] + m[0][1] * j[1][0] + 1, m[0][0] * j[0][1] + m[0][1] * j[1][1]],
          [m[1][0] * j[0][0] + m[1][1] * j[1][0], m[1][0] * j[0][1] + m[1][1] * j[1][1] + 1]]
    return nx, ny, nj

def solve(j, x, y):
    """J^-1 (x, y)."""
    det = j[0][0] * j[1][1] - j[0][1] * j[1][0]
    return (j[1][1] * x - j[0][1] * y) / det, (-j[1][0] * x + j[0][0] * y) / det

def newton(formula, power, a, b, p, r):
    for _ in range(200):
        x = y = mpf(0)
        j = [[mpf(0), mpf(0)], [mpf(0), mpf(0)]]
        for _ in range(p):
            x, y, j = step(formula, power, x, y, a, b, j)
        dx, dy = solve(j, x, y)
        a, b = a - dx, b - dy
        if abs(dx) + abs(dy) < r:
            return a, b
    return None

def main():
    formula, power, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    digits = int(sys.argv[6]) if len(sys.argv) > 6 else 400
    mpmath.mp.dps = digits + 20
    if sys.argv[4] == 'tip':
        # the tip of an antenna of z^d + c: 0 -> c -> beta, a repelling fixed point, with
        # beta^(d-1) = 1 - w, c = beta w, w = exp(2 pi i k/d); nuclei of high period
        # accumulate there, and Newton's method from it finds one of them
        k = int(sys.argv[5])
        w = mpmath.expjpi(mpf(2 * k) / power)
        for j in range(power - 1):
            beta = (1 - w) ** (mpf(1) / (power - 1)) * mpmath.expjpi(mpf(2 * j) / (power - 1))
            c = beta * w
            if abs(c ** power + c - beta) < mpf(10) ** -digits:
                break
        a, b = c.real, c.imag
    else:
        a, b = mpf(sys.argv[4]), mpf(sys.argv[5])
    nb = newton(formula, power, a, b, p, mpf(10) ** -digits)
    if nb is None:
        print('Newton failed', file=sys.stderr)
        return 1
    print(mpmath.nstr(nb[0], digits, min_fixed=-1, max_fixed=1),
          mpmath.nstr(nb[1], digits, min_fixed=-1, max_fixed=1))

if __name__ == '__main__':
    sys.exit(main())
