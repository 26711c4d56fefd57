/*
 * kernel/kernel_lanes.h - what the lane machines share, written once for every vector kernel.
 *
 * Private to src/kernel/kernel_<isa>.c: each of those files defines W (lanes per vector),
 * NV (independent vectors) and the wrappers below, with that ISA's flags on that file only,
 * then includes its machine, which includes this header, and defines its entry point as a
 * call to the machine's lanes_run():
 *
 *     vd vset1(double)              vd vload(const double *)     void vstore(double *, vd)
 *     vd vadd(vd, vd)  vsub  vmul   vm vge(vd, vd)  veq (ordered: NaN never passes)
 *     vm vmzero(void)  vmor  vmand  bool vmany(vm)  unsigned vmbits(vm) (lane i -> bit i)
 *     vd vsel(vm m, vd a, vd b)     (a where m is set, else b)
 *     vd vabs(vd)                   (the sign bit cleared, as fabs)
 *
 * A file whose ISA has 32 vector registers and masked expand-loads (AVX-512) also defines
 * LANES_IN_REGISTERS and
 *
 *     vm vmask(unsigned bits)       (lane i set where bit i is)
 *     vd vexpand(vd a, vm m, const double *p) (a; lanes of m take p[0], p[1], ... in order)
 *     vm vlt(vd, vd)                (ordered)
 *     vd vload_n(const double *p, unsigned n)  (lanes 0..n-1 from p, the others NaN)
 *     CW, vc: CW uint32 counts a vector (SLOTS a multiple of CW), and
 *     vc vcset1(uint32_t)   vc vcinc(vc) (+1 each lane)
 *     vc vcput(unsigned m, vc a, vc b)  (a where bit i of m, else b)
 *     void vcstore_n(uint32_t *p, vc a, unsigned n)            (lanes 0..n-1 only)
 *
 *     void vstore_mask(double *p, vm m, vd a) (lanes of m only; the others untouched)
 *     vm vnlt(vd, vd)               (!(a < b): unordered, a NaN passes)
 *     vd vcompress(vm m, vd a)      (the lanes of m, in order, to lanes 0, 1, ...; others 0)
 *
 * and includes kernel/kernel_lanes_registers.h: the batched machine (lanes_batch_body:
 * registers, an escape test every BATCH_STEPS steps, then a redo that finds the exact step),
 * plus the block machine for short limits. The others include kernel/kernel_lanes_memory.h,
 * whose machine keeps the state in memory between events and tests every step
 * (docs/kernels-notes.md has the figures). This header holds what both share: the steps of
 * each variant, smooth values W at a time, and the pixels settled without a lane.
 *
 * A file that also defines LANES_VSMOOTH and
 *
 *     vd vdiv(vd, vd)
 *     vd vsplit(vd v, vd *e)        (v = 2^e f, f in about [0.75, 1.5] and exact; v > 0 normal)
 *     vd vround_float(vd a)         ((double)(float)a)   void vstore_float(float *p, vd a)
 *
 * gets smooth values W at a time (smooth_flush); the others call smooth_after_escape() per
 * escaped pixel.
 *
 * Smooth values (row->smooth != NULL): each machine is built twice from one always_inline
 * body, with a compile-time flag `want`; without it the hot loops are those of a counts-only
 * machine. With it, a lane's z at its escape step (the doubles kernel_scalar has there) is
 * kept, and smooth_after_escape() gives the pixel kernel_formula's value; a pixel that does
 * not escape gets (float)max_iter. With LANES_VSMOOTH the escapes wait in a batch instead,
 * whose smooth values are computed W at a time (smooth_flush), the same floats, with
 * smooth_after_escape() for the few lanes whose vector logarithm is not sure of its float.
 *
 * Variants (kernel_variant): every machine also iterates the burning ship and the
 * tricorn, and Julia sets of the three, for counts. The variant is a compile-time parameter
 * of the machine bodies (one copy per variant, as the smooth/no-smooth copies), so the hot
 * loops hold no choice; Julia sets differ only in a lane's start (z_1 = z_0^2 + c, computed
 * from the pixel z_0 as kernel_formula does) and in c (the fixed parameter), which are
 * values, not code. The cardioid/bulb shortcut is the classic set's only. Smooth values:
 * the classic set's and its Julia sets' (whose continuation is smooth_after_escape() with c
 * the parameter, kernel_formula's too) as above; the burning ship's and the tricorn's come
 * from kernel_row_formula().
 *
 * Invariant: every count equals kernel_scalar's (kernel_formula's for the variants). Each
 * lane performs kernel_scalar's operations on one pixel, in the same order and without fused
 * multiply-adds, so it produces the same doubles, and it stops at the same n: every machine
 * but the batched one tests every iterate; the batched one tests every BATCH_STEPS-th and
 * finds the first iterate that passes by stepping again, testing each, from z saved at the
 * batch's start (the argument is at lanes_batch_body). What the vector form adds is
 * scheduling only (docs/algorithms.md, "Vector kernels").
 */
#ifndef MANDEL_KERNEL_LANES_H
#define MANDEL_KERNEL_LANES_H

#if !defined(W) || !defined(NV)
#error "kernel/kernel_lanes.h is included by kernel_lanes_<machine>.h, after W, NV and the wrappers"
#endif

#include "kernel/kernel.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SLOTS (NV * W)

/* The imaginary part of a step, given xy = x*y: kernel_formula's (xy + xy) + ci,
 * fabs(xy + xy) + ci, -(xy + xy) + ci for var = KERNEL_CLASSIC, _BURNING_SHIP, _TRICORN.
 * xy * 2 is xy + xy bit for bit (overflow included), and ci - a is -a + ci (IEEE defines
 * subtraction as the addition of the negation: the same rounding, the same sign of zero).
 * `two` is 2.0, read through a volatile so the compiler cannot turn xy * 2 back into
 * xy + xy (which would move an operation from the multiply ports to the busier add ports). */
__attribute__((always_inline)) static inline vd step_y(int const var, vd xy, vd two, vd ci)
{
    vd const d = vmul(xy, two);
    switch (var) {
    case KERNEL_BURNING_SHIP: return vadd(vabs(d), ci);
    case KERNEL_TRICORN: return vsub(ci, d);
    default: return vadd(d, ci);
    }
}

/* step_y() with xy + xy for xy * 2 (the same double): an add instead of a multiply. The
 * untested steps of the batched machine (kernel_lanes_registers.h, lanes_batch_body) take
 * half their vectors this way, so that multiplies and adds are balanced (7 of each for 2
 * vectors). */
__attribute__((always_inline)) static inline vd step_y_add(int const var, vd xy, vd ci)
{
    vd const d = vadd(xy, xy);
    switch (var) {
    case KERNEL_BURNING_SHIP: return vadd(vabs(d), ci);
    case KERNEL_TRICORN: return vsub(ci, d);
    default: return vadd(d, ci);
    }
}

/* The scalar form of step_y(), kernel_formula's expressions. */
static inline double step_y1(int var, double xy, double ci)
{
    switch (var) {
    case KERNEL_BURNING_SHIP: return __builtin_fabs(xy + xy) + ci;
    case KERNEL_TRICORN: return -(xy + xy) + ci;
    default: return (xy + xy) + ci;
    }
}

/* The c that the steps add: the pixel's real part (cr) or the Julia parameter. */
static inline double row_ci(const kernel_row *row, const kernel_variant *v)
{
    return v->julia ? v->julia_im : row->im;
}

#if defined(LANES_IN_REGISTERS) && !defined(LANES_VSMOOTH)
#error "the register machine's smooth values need LANES_VSMOOTH and its wrappers"
#endif

/* ---- smooth values, W at a time (ISAs with vsmooth_mu) ---------------------------------- */
#ifdef LANES_VSMOOTH

/* ln(v) for a positive normal v: v = 2^e f with f in about [0.75, 1.5], and ln f = 2 atanh(s),
 * s = (f - 1) / (f + 1), |s| <= 0.2, by its series up to s^17 (the rest is below 6e-15).
 * Measured against glibc's log on 1.6e8 values over [0.5, 1e300]: within 1.2e-13 absolute,
 * 6e-16 relative where |ln v| > 1e-3. */
static inline vd vln(vd v)
{
    static const double inv_odd[8] = {1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9,
                                      1.0 / 7,  1.0 / 5,  1.0 / 3,  1.0};
    vd const one = vset1(1.0);
    vd e;
    vd const f = vsplit(v, &e);
    vd const s = vdiv(vsub(f, one), vadd(f, one));
    vd const s2 = vmul(s, s);
    vd p = vset1(1.0 / 17);
    for (int k = 0; k < 8; k++) p = vadd(vmul(p, s2), vset1(inv_odd[k]));
    return vadd(vmul(e, vset1(0x1.62e42fefa39efp-1)), vmul(vadd(s, s), p));
}

/* The smooth value smooth_after_escape() computes from r2 = |z_m|^2 and m (its last lines,
 * with libm's log), into out[0..W-1]; the lanes where this approximation is sure of that
 * same float are returned as bits (the other out[] are to be replaced). Sure: the
 * approximation d is within ~1e-14 of the exact value, and so is the libm computation (log
 * within 1 ulp); if every double within E = 2^-40 (|d| + 8) >= 7e-12 of d rounds to one
 * float, that float is the libm computation's. Rounding to nearest is monotone, so checking
 * d - E and d + E suffices. Lanes with r2 outside [4, 1e300] (overflow, NaN) or m beyond
 * uint32_t (where the scalar m wraps) are left to the scalar code, as are the ~1e-5 of
 * values near a rounding edge. */
static inline unsigned vsmooth_mu(vd r2, vd m, float *out)
{
    vd const log_r = vmul(vset1(0.5), vln(r2));
    vd const q = vmul(vln(log_r), vset1(0x1.71547652b82fep0)); /* / ln 2 */
    vd const d = vsub(vadd(m, vset1(1.0)), q);
    vd const err = vmul(vadd(vabs(d), vset1(8.0)), vset1(0x1p-40));
    vd const f = vround_float(d);
    vm ok = vmand(veq(vround_float(vsub(d, err)), f), veq(vround_float(vadd(d, err)), f));
    ok = vmand(ok, vge(r2, vset1(4.0)));
    ok = vmand(ok, vge(vset1(1e300), r2));
    ok = vmand(ok, vge(vset1(4294967295.0), m));
    vstore_float(out, d);
    return vmbits(ok);
}

#define SMOOTH_BATCH (4 * SLOTS)

/* Escaped pixels waiting for their smooth values: z at the escape step, c's real part, the
 * count, the pixel. */
typedef struct smooth_batch {
    double x[SMOOTH_BATCH], y[SMOOTH_BATCH], cr[SMOOTH_BATCH], n[SMOOTH_BATCH];
    uint32_t pix[SMOOTH_BATCH];
    unsigned len;
    double ci; /* c's imaginary part: the row's, or a Julia set's parameter's (row_ci) */
} smooth_batch;

/* Writes the batch's smooth values: smooth_after_escape()'s continuation on W lanes (the same
 * doubles: the same operations in the same order, and a lane stops at the same step), then
 * vsmooth_mu(), and smooth_after_escape() itself where vsmooth_mu() is not sure. NV vectors
 * at a time, unrolled: each one's logarithms are a long dependency chain. */
static void smooth_flush(smooth_batch *b, const kernel_row *row)
{
    vd const ci = vset1(b->ci), radius2 = vset1(SMOOTH_RADIUS2), one = vset1(1.0);
    /* NaN after the end: it never passes a test, and those lanes are not written. */
    for (unsigned i = b->len; i % SLOTS != 0; i++)
        b->x[i] = b->y[i] = b->cr[i] = b->n[i] = __builtin_nan("");
    for (unsigned i = 0; i < b->len; i += SLOTS) {
        vd x[NV], y[NV], m[NV], cr[NV];
        _Pragma("GCC unroll 16")
        for (int u = 0; u < NV; u++) {
            x[u] = vload(b->x + i + u * W);
            y[u] = vload(b->y + i + u * W);
            m[u] = vload(b->n + i + u * W);
            cr[u] = vload(b->cr + i + u * W);
        }
        for (int s = 0; s < SMOOTH_EXTRA; s++) {
            vd x2[NV], y2[NV];
            vm go[NV];
            bool any = false;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < NV; u++) {
                x2[u] = vmul(x[u], x[u]);
                y2[u] = vmul(y[u], y[u]);
                go[u] = vge(radius2, vadd(x2[u], y2[u]));
                any |= vmany(go[u]);
            }
            if (!any) break;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < NV; u++) {
                vd const xy = vmul(x[u], y[u]);
                x[u] = vsel(go[u], vadd(vsub(x2[u], y2[u]), cr[u]), x[u]);
                y[u] = vsel(go[u], vadd(vadd(xy, xy), ci), y[u]);
                m[u] = vsel(go[u], vadd(m[u], one), m[u]);
            }
        }
        float mu[SLOTS];
        uint32_t sure = 0;
        _Pragma("GCC unroll 16")
        for (int u = 0; u < NV; u++)
            sure |= (uint32_t)vsmooth_mu(vadd(vmul(x[u], x[u]), vmul(y[u], y[u])), m[u],
                                         mu + u * W) << (u * W);
        unsigned const k = b->len - i < SLOTS ? b->len - i : SLOTS;
        for (unsigned l = 0; l < k; l++) row->smooth[b->pix[i + l]] = mu[l];
        uint32_t unsure = ~sure & (k == 32 ? ~(uint32_t)0 : ((uint32_t)1 << k) - 1);
        _Static_assert(SLOTS <= 32, "smooth_flush keeps SLOTS lanes' bits in a uint32_t");
        for (; unsure != 0; unsure &= unsure - 1) {
            unsigned const l = (unsigned)__builtin_ctz(unsure);
            row->smooth[b->pix[i + l]] = smooth_after_escape(b->x[i + l], b->y[i + l],
                                                             b->cr[i + l], b->ci,
                                                             (uint32_t)b->n[i + l]);
        }
    }
    b->len = 0;
}

static inline void smooth_push(smooth_batch *b, const kernel_row *row, double x, double y,
                               double cr, uint32_t n, uint32_t pix)
{
    unsigned const i = b->len++;
    b->x[i] = x;
    b->y[i] = y;
    b->cr[i] = cr;
    b->n[i] = (double)n;
    b->pix[i] = pix;
    if (b->len == SMOOTH_BATCH) smooth_flush(b, row);
}
#else
typedef struct smooth_batch smooth_batch; /* never defined: always NULL */
#endif /* LANES_VSMOOTH */

/* Writes pixel j's count (and smooth value) and returns true if it is known without a lane:
 * an interior point (with shortcuts), an escape at n = 1, or max_iter = 1. Else *x1, *y1
 * get the pixel's z_1, which its lane starts from: c for the Mandelbrot-type sets, and for
 * a Julia set kernel_formula's first step from z_0 = cr + im*i. */
static inline bool settled_without_lane(const kernel_row *row, uint32_t *counts, uint32_t j,
                                        double cr, smooth_batch *sb, const kernel_variant *v,
                                        double *x1, double *y1)
{
    if (v->julia) {
        double const x = cr, y = row->im;
        double const x2 = x * x, y2 = y * y, xy = x * y;
        double const zx = (x2 - y2) + v->julia_re, zy = step_y1(v->variant, xy, v->julia_im);
        *x1 = zx;
        *y1 = zy;
        if (zx * zx + zy * zy >= 4.0) {
            /* Smooth values are asked for the Julia sets of z^2 + c only (lanes_run). */
            counts[j] = 1;
#ifdef LANES_VSMOOTH
            if (sb != NULL) {
                smooth_push(sb, row, zx, zy, v->julia_re, 1, j);
                return true;
            }
#endif
            if (row->smooth != NULL)
                row->smooth[j] = smooth_after_escape(zx, zy, v->julia_re, v->julia_im, 1);
            return true;
        }
        if (row->max_iter == 1) {
            counts[j] = 1;
            if (row->smooth != NULL) row->smooth[j] = 1.0f;
            return true;
        }
        return false;
    }
    double const ci = row->im;
    *x1 = cr;
    *y1 = ci;
    if (row->shortcuts && v->variant == KERNEL_CLASSIC && interior_known(cr, ci)) {
        counts[j] = row->max_iter;
        if (row->smooth != NULL) row->smooth[j] = (float)row->max_iter;
        return true;
    }
    /* z_1 = c; this is kernel_scalar's test of it, the same doubles in the same order.
     * (kernel_scalar's z_1 is (0 - 0) + c, +0 where c has a -0: a sign of zero changes no
     * square, so no later |z|^2 and no smooth value.) */
    if (cr * cr + ci * ci >= 4.0) {
        counts[j] = 1;
#ifdef LANES_VSMOOTH
        if (sb != NULL) {
            smooth_push(sb, row, cr, ci, cr, 1, j);
            return true;
        }
#else
        (void)sb;
#endif
        if (row->smooth != NULL) row->smooth[j] = smooth_after_escape(cr, ci, cr, ci, 1);
        return true;
    }
    if (row->max_iter == 1) {
        counts[j] = 1;
        if (row->smooth != NULL) row->smooth[j] = 1.0f;
        return true;
    }
    return false;
}

#endif /* MANDEL_KERNEL_LANES_H */
