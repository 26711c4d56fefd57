/*
 * deep/bla.c - the bilinear-approximation table: merged perturbation steps
 * dz_{m+l} = A dz_m + B dc, each valid while |dz_m| < R.
 *
 * One exact step from reference index m is dz' = 2 Z_m dz + dz^2 + dc. Dropping dz^2 costs
 * a relative error |dz| / |2 Z_m|, so the single step is linear within R = eps * |2 Z_m|
 * with eps = 2^-BLA_EPS_BITS: no larger than double's own rounding. Two consecutive steps
 * x then y merge into A = A_y A_x, B = A_y B_x + B_y and
 * R = min(R_x, (R_y - |B_x| dc_max) / |A_x|), so the second step's input stays inside its
 * radius for every pixel of the view (|dc| <= dc_max). Single-step radii are also capped at
 * 2 - |Z_m|, so no pixel can escape inside a skipped block unseen; and inside the radius
 * |dz| < |Z_m| / 2^52, far from the rebasing condition |Z_m + dz| < |dz|.
 *
 * Invariant: every stored entry's radius is a radius where the above holds for the whole
 * block; a zero radius (nothing to gain, or overflow) just means "never used".
 */
#include "deep/deep_int.h"

#include <string.h>

/* The tolerance: 2^-53, double's unit roundoff. A correctness setting: a larger eps skips
 * more but lets the approximation error exceed the rounding error (docs/deep-notes.md). */
#define BLA_EPS_BITS 53

/* The table is skipped (rendering stays exact, only slower) above this size. */
#define BLA_MAX_BYTES ((size_t)256 << 20)

static fec z_at(const orbit *o, uint32_t m)
{
    return o->zfe != NULL ? o->zfe[m] : fec_make(o->zr[m], o->zi[m], 0);
}

static bla_entry single(const orbit *o, uint32_t m)
{
    fec const z = z_at(o, m);
    fec const a = {z.re, z.im, z.e + 1};
    fe const r = fe_mul(fec_abs(a), (fe){0.5, 1 - BLA_EPS_BITS}); /* eps * |2 Z_m| */
    double const zabs = sqrt(o->zr[m] * o->zr[m] + o->zi[m] * o->zi[m]);
    fe const room = 2.0 - zabs > 0 ? fe_make(2.0 - zabs, 0) : (fe){0.0, FE_ZERO_EXP};
    return (bla_entry){a, fec_make(1.0, 0.0, 0), fe_min(r, room)};
}

/* x then y. */
static bla_entry merge(bla_entry x, bla_entry y, fe dc_max)
{
    bla_entry z;
    z.a = fec_mul(y.a, x.a);
    z.b = fec_add(fec_mul(y.a, x.b), y.b);
    fe const spent = fe_mul(fec_abs(x.b), dc_max);
    fe r;
    if (x.a.re == 0 && x.a.im == 0)
        r = fe_lt(spent, y.r) ? x.r : (fe){0.0, FE_ZERO_EXP};
    else
        r = fe_div(fe_sub_pos(y.r, spent), fec_abs(x.a));
    z.r = fe_min(x.r, r);
    return z;
}

int bla_build(const mandel_allocator *alloc, const orbit *o, fe dc_max, bla_table *out)
{
    memset(out, 0, sizeof *out);
    uint32_t const steps = o->len > 0 ? o->len - 1 : 0; /* steps from indices 1 .. L-1 */
    size_t total = 0;
    uint32_t levels = 1;
    while (levels < BLA_MAX_LEVELS && (steps >> levels) > 0) {
        out->count[levels] = steps >> levels;
        total += out->count[levels];
        levels++;
    }
    out->levels = levels;
    if (total == 0) return MANDEL_OK;
    if (total > BLA_MAX_BYTES / sizeof(bla_entry)) {
        memset(out, 0, sizeof *out);
        return MANDEL_ETOOBIG;
    }
    out->storage = alloc->alloc(alloc->user, total * sizeof(bla_entry));
    if (out->storage == NULL) {
        memset(out, 0, sizeof *out);
        return MANDEL_ENOMEM;
    }
    bla_entry *next = out->storage;
    for (uint32_t j = 1; j < levels; j++) {
        out->level[j] = next;
        next += out->count[j];
    }
    for (uint32_t k = 0; k < out->count[1]; k++)
        out->level[1][k] = merge(single(o, 1 + 2 * k), single(o, 2 + 2 * k), dc_max);
    for (uint32_t j = 2; j < levels; j++)
        for (uint32_t k = 0; k < out->count[j]; k++)
            out->level[j][k] = merge(out->level[j - 1][2 * k], out->level[j - 1][2 * k + 1],
                                     dc_max);
    return MANDEL_OK;
}

void bla_free(const mandel_allocator *alloc, bla_table *t)
{
    alloc->free(alloc->user, t->storage);
    memset(t, 0, sizeof *t);
}
