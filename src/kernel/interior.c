/*
 * kernel/interior.c - the closed-form interior tests: main cardioid and period-2 bulb.
 *
 * Invariant: interior_known(c) is true only for points whose exact orbit stays bounded,
 * even after the rounding of the test itself. The margin below exceeds that rounding by
 * three orders of magnitude, so a point outside the set (whose double-precision orbit can
 * escape) is never reported; points in the thin margin are simply iterated.
 */
#include "kernel/kernel.h"

/* INTERIOR_MARGIN (kernel.h): the test polynomials are O(1) near the boundaries; their
 * rounding error is below 1e-15. kernel_lanes_registers.h's interior_mask() is this test,
 * 8 lanes at a time, with the same operations in the same order: keep the two identical. */

bool interior_known(double cr, double ci)
{
    double const ci2 = ci * ci;
    double const xq = cr - 0.25;
    double const q = xq * xq + ci2;
    if (q * (q + xq) < 0.25 * ci2 - INTERIOR_MARGIN) return true;
    double const xb = cr + 1.0;
    return xb * xb + ci2 < 0.0625 - INTERIOR_MARGIN;
}
