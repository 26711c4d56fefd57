/*
 * deep/bla.c - the bilinear-approximation table: merged perturbation steps
 * dz_{m+l} = A dz_m + B dc, each valid while |dz_m| < R, for z^d + c (d = 2 below; single()
 * gives the step of other powers).
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
 * The table is built in floatexp (A and B overflow double at depth) and read by the pixel
 * loops in double: A, B * 2^b_exp and R / sqrt(2), stored by start (deep_int.h); floatexp
 * views also keep the floatexp levels. Double lookups use blocks of 2^dmin steps and up, so
 * for double views only those levels are built beyond small per-block trees.
 *
 * Invariant: every stored entry's radius is a radius where the above holds for the whole
 * block; a zero radius (nothing to gain, overflow, or a block past the orbit) just means
 * "never used". A block's radius never exceeds its first half's.
 */
#include "deep/deep_int.h"

#include <string.h>

/* The tolerance: 2^-53, double's unit roundoff. A correctness setting: a larger eps skips
 * more but lets the approximation error exceed the rounding error (docs/deep-notes.md). */
#define BLA_EPS_BITS 53

/* The table is skipped (rendering stays exact, only slower) above this size: all of it,
 * double and floatexp entries and rmin. */
#define BLA_MAX_BYTES ((size_t)256 << 20)

static fec z_at(const orbit *o, uint32_t m)
{
    return o->zfe != NULL ? o->zfe[m] : fec_make(o->z[m].re, o->z[m].im, 0);
}

/* One step from index m of z^power + c: A = d Z_m^(d-1), B = 1. For d > 2 the dropped terms
 * sum_{k>=2} C(d,k) Z^(d-k) dz^k are, relative to the linear one, ((1+t)^d - 1 - dt) / (dt)
 * with t = |dz| / |Z|, about (d-1) t / 2: below eps for |dz| < eps * 2|Z| / d (a margin
 * for the higher terms, which at t ~ 2^-50 are 2^-50 d of it). */
static bla_entry single(const orbit *o, uint32_t m, uint32_t power)
{
    fec const z = z_at(o, m);
    fec a = {z.re, z.im, z.e + 1};
    fe r = fe_mul(fec_abs(a), (fe){0.5, 1 - BLA_EPS_BITS}); /* eps * |2 Z_m| */
    if (power > 2) {
        fec p = z; /* Z^(d-1), then times d */
        for (uint32_t k = 2; k < power; k++) p = fec_mul(p, z);
        a = fec_mul(p, fec_make((double)power, 0.0, 0));
        r = fe_div(r, fe_make((double)power, 0));
    }
    double const zabs = sqrt(o->z[m].re * o->z[m].re + o->z[m].im * o->z[m].im);
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

/* The double form of e: radius over sqrt(2), rounded down, for the max-norm test. */
static bla_dentry to_double(bla_entry e, int64_t b_exp)
{
    bla_dentry d;
    fec_to_d(e.a, &d.ar, &d.ai);
    fec_to_d((fec){e.b.re, e.b.im, e.b.e + b_exp}, &d.br, &d.bi);
    d.r = fe_to_d(e.r) * (0.70710678118654746 * (1 - 0x1p-50));
    if (!isfinite(d.ar) || !isfinite(d.ai) || !isfinite(d.br) || !isfinite(d.bi) ||
        !isfinite(d.r))
        d = (bla_dentry){0.0, 0.0, 0.0, 0.0, 0.0};
    return d;
}

/* Merges between two polls: a merge costs tens of nanoseconds, so a poll every 4096 keeps
 * a cancel well under a millisecond late and costs nothing measurable. */
#define POLL_EVERY 4096u

int bla_build(const mandel_allocator *alloc, const orbit *o, uint32_t power, fe dc_max,
              int64_t b_exp, uint32_t dmin, bool want_fe, uint64_t max_bytes,
              int (*poll)(void *user, uint64_t done, uint64_t total), void *poll_user,
              bla_table *out)
{
    memset(out, 0, sizeof *out);
    out->b_exp = b_exp;
    out->dmin = dmin;
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
    out->n_starts = levels > dmin ? out->count[dmin] : 0;
    size_t const slots = bla_slot(out, out->n_starts);
    size_t const bytes = slots * sizeof(bla_dentry) + ((size_t)o->len + 1) * sizeof(double) +
                         (want_fe ? total : out->n_starts) * sizeof(bla_entry);
    if (bytes > BLA_MAX_BYTES || bytes > max_bytes) {
        memset(out, 0, sizeof *out);
        return MANDEL_ETOOBIG;
    }
    /* Without want_fe, floatexp entries exist only from level dmin up, in one
     * scratch level merged in place; each level-MIN block is merged from its singles in a
     * small tree, the same pairs in the same order as the full table, so the same values. */
    size_t const fe_n = want_fe ? total : out->n_starts;
    if (fe_n > 0) out->storage = alloc->alloc(alloc->user, fe_n * sizeof(bla_entry));
    if (slots > 0) {
        out->dent = alloc->alloc(alloc->user, slots * sizeof(bla_dentry));
        out->rmin = alloc->alloc(alloc->user, ((size_t)o->len + 1) * sizeof(double));
    }
    if ((fe_n > 0 && out->storage == NULL) ||
        (slots > 0 && (out->dent == NULL || out->rmin == NULL))) {
        bla_free(alloc, out);
        return MANDEL_ENOMEM;
    }
    if (slots > 0) memset(out->dent, 0, slots * sizeof(bla_dentry)); /* r = 0: past the orbit */
    uint32_t first = 2; /* the first level merged from the level below, as a whole level */
    if (want_fe) {
        bla_entry *next = out->storage;
        for (uint32_t j = 1; j < levels; j++) {
            out->level[j] = next;
            next += out->count[j];
        }
        for (uint32_t k = 0; k < out->count[1]; k++) {
            if (k % POLL_EVERY == 0 && poll != NULL &&
                poll(poll_user, (uint64_t)2 * k, o->len) != 0)
                goto cancelled;
            out->level[1][k] = merge(single(o, 1 + 2 * k, power), single(o, 2 + 2 * k, power),
                                     dc_max);
            if (dmin == 1)
                out->dent[bla_slot(out, k)] = to_double(out->level[1][k], b_exp);
        }
    } else {
        for (uint32_t j = 1; j < levels; j++) out->level[j] = out->storage;
        uint32_t const half = UINT32_C(1) << (dmin - 1);
        for (uint32_t k = 0; k < out->n_starts; k++) {
            if (k % (POLL_EVERY >> dmin) == 0 && poll != NULL &&
                poll(poll_user, (uint64_t)k << dmin, o->len) != 0)
                goto cancelled;
            bla_entry t[UINT32_C(1) << (BLA_DMIN_MAX - 1)];
            uint32_t const m = 1 + (k << dmin);
            for (uint32_t q = 0; q < half; q++)
                t[q] = merge(single(o, m + 2 * q, power), single(o, m + 2 * q + 1, power),
                             dc_max);
            for (uint32_t w = half / 2; w >= 1; w /= 2)
                for (uint32_t q = 0; q < w; q++) t[q] = merge(t[2 * q], t[2 * q + 1], dc_max);
            out->storage[k] = t[0];
            out->dent[bla_slot(out, k)] = to_double(t[0], b_exp);
        }
        first = dmin + 1;
    }
    for (uint32_t j = first; j < levels; j++) {
        const bla_entry *const from = out->level[j - 1];
        bla_entry *const to = out->level[j];
        for (uint32_t k = 0; k < out->count[j]; k++) {
            if (k % POLL_EVERY == 0 && poll != NULL && poll(poll_user, o->len, o->len) != 0)
                goto cancelled;
            to[k] = merge(from[2 * k], from[2 * k + 1], dc_max); /* k <= 2k: safe in place */
            if (j >= dmin) /* start k << j is double start k << (j - MIN) */
                out->dent[bla_slot(out, k << (j - dmin)) + j - dmin] =
                    to_double(to[k], b_exp);
        }
    }
    uint32_t const mask = (UINT32_C(1) << dmin) - 1;
    for (uint32_t m = 0; m <= o->len && slots > 0; m++) {
        uint32_t const i = (m - 1) >> dmin;
        out->rmin[m] = ((m - 1) & mask) == 0 && i < out->n_starts
                           ? out->dent[bla_slot(out, i)].r : 0.0;
    }
    if (!want_fe) {
        alloc->free(alloc->user, out->storage);
        out->storage = NULL;
        memset(out->level, 0, sizeof out->level);
    }
    return MANDEL_OK;
cancelled:
    bla_free(alloc, out);
    return MANDEL_ECANCELED;
}

void bla_free(const mandel_allocator *alloc, bla_table *t)
{
    alloc->free(alloc->user, t->dent);
    alloc->free(alloc->user, t->storage);
    alloc->free(alloc->user, t->rmin);
    memset(t, 0, sizeof *t);
}
