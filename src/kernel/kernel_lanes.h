/*
 * kernel/kernel_lanes.h - the lane machine, written once for every vector kernel.
 *
 * Private to src/kernel/kernel_<isa>.c: each of those files defines W (lanes per vector),
 * NV (independent vectors) and the wrappers below, with that ISA's flags on that file only,
 * then includes this header and defines its entry point as a call to lanes_run():
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
 * and gets the batched machine (lanes_batch_body: registers, an escape test every
 * BATCH_STEPS steps, then a redo that finds the exact step), plus the block machine for short
 * limits; the others keep the state in memory between events and test every step
 * (docs/kernels-notes.md has the figures).
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
#error "kernel/kernel_lanes.h is included only by kernel_<isa>.c, after W, NV and the wrappers"
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
 * untested steps of the batched machine (kernel_lanes.h, lanes_batch_body) take half their
 * vectors this way, so that multiplies and adds are balanced (7 of each for 2 vectors). */
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

#ifdef LANES_IN_REGISTERS
/* ---- AVX-512: the lanes' state stays in registers; the escape test is batched ---------- */

#define FIRST_SAVE 8 /* a lane's first saved z is its 8th iterate, as in kernel_scalar */
#define QCAP 256      /* pixels prepared ahead in the queue */

/* The batched machine's lanes: up to BNV vectors of W (more than the block machine's NV: its
 * costs per batch are shared by more lanes; BNV_SHORTCUTS below for rows with shortcuts);
 * their bits in a uint64_t. */
#ifndef BNV
#define BNV 6
#endif
#define BSLOTS (BNV * W)
_Static_assert(BSLOTS <= 64, "the batched machine keeps its lanes' bits in a uint64_t");

/* The row's next pixels that need a lane: cr and the pixel's index (as a double, exact),
 * followed by BSLOTS NaNs, so that a refill past the last pixel gives empty (NaN) lanes. For a
 * Julia set, cr and y1 are the pixel's z_1 (the c of the lanes is the parameter). */
typedef struct queue {
    double cr[QCAP + W + BSLOTS], y1[QCAP + W + BSLOTS], pix[QCAP + W + BSLOTS];
    uint32_t pos, len; /* [pos, len) is still to hand out */
    uint32_t next;     /* the next pixel of the row to look at */
    const kernel_variant *v;
} queue;

/* interior_known() on W lanes: the same double operations in the same order, so the same
 * answer for every c (NaN: false). `ci2` is ci * ci and `card` is 0.25 * ci2 - INTERIOR_MARGIN,
 * both computed in scalar doubles as interior_known() does. The scalar test returns early
 * on the cardioid; evaluating the bulb test as well changes nothing. */
static inline vm interior_mask(vd cr, vd ci2, vd card)
{
    vd const xq = vsub(cr, vset1(0.25));
    vd const q = vadd(vmul(xq, xq), ci2);
    vm const cardioid = vlt(vmul(q, vadd(q, xq)), card);
    vd const xb = vadd(cr, vset1(1.0));
    vm const bulb = vlt(vadd(vmul(xb, xb), ci2), vset1(0.0625 - INTERIOR_MARGIN));
    return vmor(cardioid, bulb);
}

/* A pixel whose z_1 is NaN: no test ever passes (NaN is not >= 4), so kernel_scalar gives
 * max_iter. Settled here so that a lane's z is NaN only after its test has passed (the batched
 * test counts a NaN as escaped). */
static void settle_nan(const kernel_row *row, uint32_t *counts, uint32_t j)
{
    counts[j] = row->max_iter;
    if (row->smooth != NULL) row->smooth[j] = (float)row->max_iter;
}

/* Tops the queue up from the row, settling on the way the pixels whose count is known
 * without a lane: interior points, escapes at n = 1, max_iter = 1, NaN z_1. */
static void queue_fill(queue *q, const kernel_row *row, uint32_t *counts, smooth_batch *sb)
{
    const kernel_variant *const v = q->v;
    uint32_t const keep = q->len - q->pos;
    memmove(q->cr, q->cr + q->pos, keep * sizeof q->cr[0]);
    memmove(q->pix, q->pix + q->pos, keep * sizeof q->pix[0]);
    if (v->julia) memmove(q->y1, q->y1 + q->pos, keep * sizeof q->y1[0]);
    q->pos = 0;
    uint32_t len = keep, next = q->next;
    uint32_t const n = row->n;
    if (!v->julia && row->max_iter > 1) {
        /* The Mandelbrot-type sets, with what settled_without_lane() tests here in line: the
         * interior test (interior_mask(), interior_known()'s answers) and z_1 = c escaping
         * (the same doubles: ci * ci is computed once). q->y1 is read for Julia sets only. */
        double const ci2 = row->im * row->im;
        const double *const re = row->re;
        static const double iota[8] = {0, 1, 2, 3, 4, 5, 6, 7};
        _Static_assert(W <= 8, "iota");
        vd const ci2v = vset1(ci2), four = vset1(4.0), step = vload(iota);
        bool const interior = row->shortcuts && v->variant == KERNEL_CLASSIC;
        vd const card = vset1(0.25 * ci2 - INTERIOR_MARGIN);
        /* W pixels at a time; those that need a lane are compressed into the queue (which may
         * go W - 1 past QCAP: it has room). */
        while (len < QCAP && next < n) {
            unsigned const k = n - next < W ? n - next : W;
            vd const c = k == W ? vload(re + next) : vload_n(re + next, k);
            unsigned const in = interior ? vmbits(interior_mask(c, ci2v, card)) & ((1u << k) - 1) : 0;
            for (unsigned b = in; b != 0; b &= b - 1) {
                uint32_t const j = next + (unsigned)__builtin_ctz(b);
                counts[j] = row->max_iter;
                if (row->smooth != NULL) row->smooth[j] = (float)row->max_iter;
            }
            unsigned const go = vmbits(vlt(vadd(vmul(c, c), ci2v), four)) & ((1u << k) - 1) & ~in;
            vm const m = vmask(go);
            vstore(q->cr + len, vcompress(m, c));
            vstore(q->pix + len, vcompress(m, vadd(vset1((double)next), step)));
            len += (unsigned)__builtin_popcount(go);
            for (unsigned rest = ~go & ~in & ((1u << k) - 1); rest != 0; rest &= rest - 1) {
                uint32_t const j = next + (unsigned)__builtin_ctz(rest);
                double x1, y1;
                /* It escapes at n = 1, or c is NaN (z_1 = c is NaN: it never passes a test). */
                if (!settled_without_lane(row, counts, j, re[j], sb, v, &x1, &y1))
                    settle_nan(row, counts, j);
            }
            next += k;
        }
    } else {
        while (len < QCAP && next < n) {
            uint32_t const j = next++;
            double const cr = row->re[j];
            double x1, y1;
            if (settled_without_lane(row, counts, j, cr, sb, v, &x1, &y1)) continue;
            if (x1 != x1 || y1 != y1) {
                settle_nan(row, counts, j);
                continue;
            }
            q->cr[len] = x1;
            q->y1[len] = y1;
            q->pix[len] = (double)j;
            len++;
        }
    }
    q->len = len;
    q->next = next;
    vd const nan = vset1(__builtin_nan(""));
    for (unsigned i = 0; i < BSLOTS; i += W) {
        vstore(q->cr + len + i, nan);
        vstore(q->y1 + len + i, nan);
        vstore(q->pix + len + i, nan);
    }
}

/* The state of the lanes that stays out of the hot loop's registers (x, y and c of each
 * vector are locals of lanes_batch_stage, so that they stay in registers). A lane's age,
 * t - born, is the n of the z it holds; an empty lane has a NaN pixel index, and NaN x and
 * c: it is kept out of the escape test by the `live` mask, and its x equals nothing. */
typedef struct lanes {
    double sx[BSLOTS], sy[BSLOTS]; /* the saved z of cycle detection */
    double save_at[BSLOTS];       /* t of the next save */
    double sborn[BSLOTS];         /* born of the pixel whose z sx, sy hold (NaN: none) */
    double born[BSLOTS];          /* t at z_0, as a double (exact while t < 2^53) */
    double cr[BSLOTS];            /* c's real part (a copy of the registers') */
    double pix[BSLOTS];           /* the pixel's index (exact), NaN in an empty lane */
    unsigned active;             /* lanes holding a pixel */
} lanes;

/* ---- the batched escape test ---------------------------------------------------------- *
 *
 * The hot loop tests |z|^2 only at the last step of a batch of BATCH_STEPS steps (K), after
 * saving z at the batch's first step; in between, the steps are untested (and half the
 * vectors compute 2xy as xy + xy, half as xy * 2: the same double, and the multiplies and
 * adds balance). A lane found escaped there goes to a redo queue with that saved z, and its
 * slot takes the next pixel at once (give_pixels, expand_pixels). The redo (redo_flush) steps
 * the queued lanes again from the saved z, a vector of lanes at a time, testing every step
 * with kernel_scalar's test (|z|^2 >= 4), and so finds the first step that passes: the count,
 * and z there for smooth values. The same operations in the same order: the same doubles.
 *
 * The batch's test is !(|z|^2 < 4), which a NaN passes. Why it sees every pass of the batch,
 * and only those:
 * - After a pass, |z|^2 >= 4 stays >= 4 (or inf, or NaN) on every later step, if |c| <=
 *   2 - 2e-9: |z'| >= |z|^2 - |c| - (rounding, below 1e-14 |z|^2) > 2 + 1e-9, so the next
 *   computed |z'|^2 >= 4, or a square overflows to inf; a z with an inf part gives inf or NaN
 *   parts on the next step, and NaN stays NaN. (Also for the burning ship and the tricorn:
 *   their z' - c has modulus |z|^2 too.) So a pass anywhere in the batch shows at its end.
 * - Before a pass, z is finite: z_1 is finite (a NaN z_1 never passes a test, so
 *   queue_fill() settles such pixels as max_iter, kernel_scalar's count), c is finite, and
 *   |z| < 2 gives a finite z'. So a lane flagged at a batch's end passed in that batch (not
 *   before: it would have been flagged at an earlier end). Empty lanes (NaN) are masked out
 *   (`live`).
 * - |c| near 2 breaks the first point: with c = -2 + d, say, a z can reach |z| = 2 by rounding
 *   and come back below. lanes_run() gives the batches only rows whose every lane has
 *   computed |c|^2 <= BATCH_SAFE2 (pixels with |c|^2 >= 4 escape at n = 1 without a lane; for
 *   a Julia set, c is the parameter); the others run the same machine with batches of 1 step
 *   (the `step` instances), which tests every step.
 * The cycle detection of shortcuts compares z at t + 1 after the test at t (see there); limits
 * and cycle checks fall on batch ends (a batch is cut short for them). */
#ifndef BATCH_STEPS
#define BATCH_STEPS 12
#endif
_Static_assert(BATCH_STEPS >= 1 && BATCH_STEPS <= 64, "BATCH_STEPS: 1..64");
#define BATCH_SAFE2 3.99999999 /* |c| <= 1.9999999975 */
/* Steps between exact-repeat checks when shortcuts are on: about 144, a whole number of
 * batches, so that no batch is cut short for a check. A check costs every lane (most of
 * seahorse's pixels escape within ~150 steps, before any repeat could be seen), and only
 * lanes that run long gain from it: every 36 cost seahorse ~3% against 144, and 144 costs
 * the whole set at limit 10000 ~2% against 36 (repeats found later; docs/kernels-notes.md).
 * Any period is still caught: a repeat is looked for at checks only, the saved z is z_{a+1}
 * after the check at a, so a period p shows at the first check a + k CHECK_EVERY with p
 * dividing k CHECK_EVERY, once the saves (at doubling ages) are far enough apart. */
#ifndef CHECK_EVERY
#define CHECK_EVERY (BATCH_STEPS * ((144 + BATCH_STEPS - 1) / BATCH_STEPS))
#endif
#ifndef BALANCE
#define BALANCE 1
#endif
#define RQ_CAP (2 * BSLOTS + W) /* flushed at BSLOTS or more; BSLOTS are added at most */

/* Lanes whose z passed the test in some batch, waiting for the redo: z at the batch's first
 * step, the lane's age there (n of that z, as a double), c's real part, the pixel. */
typedef struct redo_queue {
    double x[RQ_CAP], y[RQ_CAP], age[RQ_CAP], cr[RQ_CAP];
    uint32_t pix[RQ_CAP];
    unsigned len;
} redo_queue;

/* The redo: steps the queued lanes from their saved z, testing every step, up to K steps
 * (a batch's length at most, so each finds its pass), and writes each one's count (the age
 * of its first passing z) and, with sb, sends z there to the smooth batch. */
__attribute__((always_inline)) static inline void
redo_flush(redo_queue *r, const kernel_row *row, uint32_t *counts, smooth_batch *const sb,
           int const var, unsigned const K, int const nv, bool const all, vd ci, vd two, vd four)
{
    unsigned const slots = (unsigned)nv * W;
    bool const want = sb != NULL;
    /* Only whole vectors of lanes unless `all`: the rest waits for the next flush. */
    unsigned const len = all ? r->len : r->len - r->len % slots;
    /* NaN after the end (W at a time: the arrays have room): never passes, not written. */
    if (all && r->len % slots != 0) {
        vd const nan = vset1(__builtin_nan(""));
        for (unsigned i = r->len; i < r->len + slots - r->len % slots; i += W) {
            vstore(r->x + i, nan);
            vstore(r->y + i, nan);
            vstore(r->cr + i, nan);
            vstore(r->age + i, nan);
        }
    }
    for (unsigned i = 0; i < len; i += slots) {
        unsigned const k = len - i < slots ? len - i : slots;
        uint64_t pending = k == 64 ? ~(uint64_t)0 : ((uint64_t)1 << k) - 1;
        vd x[BNV], y[BNV], cr[BNV], tp[BNV], ex[BNV], ey[BNV];
        _Pragma("GCC unroll 16")
        for (int u = 0; u < nv; u++) {
            x[u] = vload(r->x + i + u * W);
            y[u] = vload(r->y + i + u * W);
            cr[u] = vload(r->cr + i + u * W);
            /* The step of the pass. Every lane finds it; one that did not would get a count
             * 2^31 too big. */
            tp[u] = ex[u] = ey[u] = vset1(0x1p31);
        }
        for (unsigned s = 0; s < K; s++) {
            vd x2[BNV], y2[BNV], xy[BNV];
            uint64_t pass = 0;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < nv; u++) {
                x2[u] = vmul(x[u], x[u]);
                y2[u] = vmul(y[u], y[u]);
                xy[u] = vmul(x[u], y[u]);
                pass |= (uint64_t)vmbits(vge(vadd(x2[u], y2[u]), four)) << (u * W);
            }
            pass &= pending;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < nv; u++) {
                vm const p = vmask((pass >> (u * W)) & ((1u << W) - 1));
                tp[u] = vsel(p, vset1((double)s), tp[u]);
                if (want) {
                    ex[u] = vsel(p, x[u], ex[u]);
                    ey[u] = vsel(p, y[u], ey[u]);
                }
            }
            pending &= ~pass;
            if (pending == 0) break;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < nv; u++) {
                x[u] = vadd(vsub(x2[u], y2[u]), cr[u]);
                y[u] = step_y(var, xy[u], two, ci);
            }
        }
        double tpass[BSLOTS], zx[BSLOTS], zy[BSLOTS];
        _Pragma("GCC unroll 16")
        for (int u = 0; u < nv; u++) {
            vstore(tpass + u * W, vadd(vload(r->age + i + u * W), tp[u]));
            if (want) {
                vstore(zx + u * W, ex[u]);
                vstore(zy + u * W, ey[u]);
            }
        }
        for (unsigned l = 0; l < k; l++) {
            uint32_t const n = (uint32_t)tpass[l];
            uint32_t const p = r->pix[i + l];
            counts[p] = n;
#ifdef LANES_VSMOOTH
            if (want) smooth_push(sb, row, zx[l], zy[l], r->cr[i + l], n, p);
#endif
        }
    }
    (void)row;
    unsigned const rest = r->len - len;
    memmove(r->x, r->x + len, rest * sizeof r->x[0]);
    memmove(r->y, r->y + len, rest * sizeof r->y[0]);
    memmove(r->age, r->age + len, rest * sizeof r->age[0]);
    memmove(r->cr, r->cr + len, rest * sizeof r->cr[0]);
    memmove(r->pix, r->pix + len, rest * sizeof r->pix[0]);
    r->len = rest;
}

/* Writes max_iter (and its smooth value) for the lanes of m, which did not escape. */
static inline void write_limit(const kernel_row *row, uint32_t *counts, const double *pix, vm m)
{
    for (unsigned b = vmbits(m); b != 0; b &= b - 1) {
        uint32_t const p = (uint32_t)pix[__builtin_ctz(b)];
        counts[p] = row->max_iter;
        if (row->smooth != NULL) row->smooth[p] = (float)row->max_iter;
    }
}

/* Gives the lanes of `gone` the queue's next pixels, lane by lane (a few a batch), born at
 * `born_t`: their pixel index, born and c go to L; the caller loads x, y (z_1, which they hold
 * at time born_t + 1) and c into the registers from the queue (expand_pixels). Before that,
 * those of `esc` (escaped in the batch that started at t_s, with z zsx, zsy then) go to the
 * redo queue. The queue holds BSLOTS pixels, or the row's last ones followed by BSLOTS NaNs
 * (empty lanes). Nothing here is read back as a vector: a vector load of a few fresh scalar
 * stores stalls. */
__attribute__((always_inline)) static inline uint64_t
give_pixels(lanes *L, queue *q, redo_queue *R, uint64_t gone,
            uint64_t esc, double t_s, double born_t, const double *zsx, const double *zsy)
{
    bool const julia = q->v->julia;
    double const jr = q->v->julia_re;
    unsigned pos = q->pos, n = R->len;
    uint64_t filled = 0;
    for (uint64_t e = gone; e != 0; e &= e - 1) {
        unsigned const l = (unsigned)__builtin_ctzll(e);
        if ((esc >> l) & 1) {
            R->x[n] = zsx[l];
            R->y[n] = zsy[l];
            R->age[n] = t_s - L->born[l];
            R->cr[n] = L->cr[l];
            R->pix[n] = (uint32_t)L->pix[l];
            n++;
        }
        L->cr[l] = julia ? jr : q->cr[pos];
        L->pix[l] = q->pix[pos];
        L->born[l] = born_t; /* a new born: the saved z (sborn, another born) is not its */
        filled |= (uint64_t)(pos < q->len) << l;
        pos++;
    }
    R->len = n;
    unsigned const freed = (unsigned)__builtin_popcountll(gone), have = q->len - q->pos;
    unsigned const got = freed < have ? freed : have;
    q->pos += got;
    L->active = L->active - freed + got;
    return filled;
}

/* The registers' side of give_pixels(): the lanes of `gone` take z_1 and c of the queue's
 * pixels from `pos` on (as give_pixels() gave them, in lane order). */
__attribute__((always_inline)) static inline void
expand_pixels(const queue *q, unsigned pos, uint64_t gone, vd x[BNV], vd y[BNV], vd cr[BNV], vd ci,
              int const nv)
{
    _Pragma("GCC unroll 16")
    for (int u = 0; u < nv; u++) {
        unsigned const b = (gone >> (u * W)) & ((1u << W) - 1);
        vm const m = vmask(b);
        if (q->v->julia) {
            /* z_1 from the queue; c is the parameter, in every lane already. */
            x[u] = vexpand(x[u], m, q->cr + pos);
            y[u] = vexpand(y[u], m, q->y1 + pos);
        } else {
            cr[u] = vexpand(cr[u], m, q->cr + pos);
            x[u] = vsel(m, cr[u], x[u]);
            y[u] = vsel(m, ci, y[u]);
        }
        pos += (unsigned)__builtin_popcount(b);
    }
}

/* A lower bound of the first t at which a lane reaches max_iter: min(born) + max_iter. */
static uint64_t limit_of(const lanes *L, const kernel_row *row)
{
    uint64_t lim = UINT64_MAX;
    for (unsigned s = 0; s < BSLOTS; s++) {
        if (L->pix[s] != L->pix[s]) continue; /* empty: no pixel index */
        uint64_t const l = (uint64_t)L->born[s] + row->max_iter;
        if (l < lim) lim = l;
    }
    return lim;
}

/* The batched machine's state between its stages (lanes_batch_body): the lanes' x, y and c go
 * through memory only when the machine narrows. */
typedef struct batch_state {
    queue q;
    lanes L;
    redo_queue R;
    double x[BSLOTS], y[BSLOTS], cr[BSLOTS];
    uint64_t live, t, t_limit, next_check;
} batch_state;

/* One stage of the batched machine, on nv vectors: runs until the row is done (returns false,
 * after the last redo) or, with tail_at > 0, until the queue is empty and at most tail_at
 * lanes hold a pixel (returns true, between two batches, the state in S). sb: NULL (a
 * constant) for counts only; var: the step (a constant); K: steps a batch (a constant:
 * BATCH_STEPS, or 1 for rows with c near |c| = 2). The lanes' x, y and c stay in registers;
 * born and the pixel index, needed only when a lane is done, stay in L. */
__attribute__((always_inline)) static inline bool
lanes_batch_stage(const kernel_row *row, const kernel_variant *v, uint32_t *counts,
                  smooth_batch *const sb, int const var, unsigned const K, int const nv,
                  batch_state *const S, unsigned const tail_at)
{
    unsigned const slots = (unsigned)nv * W;
    /* Read through a volatile so the compiler cannot turn xy * 2 back into xy + xy. */
    static volatile double const two_value = 2.0;
    vd const ci = vset1(row_ci(row, v)), four = vset1(4.0), two = vset1(two_value);
    vd const lim = vset1((double)row->max_iter), first_save = vset1(FIRST_SAVE);
    queue *const q = &S->q;
    lanes *const L = &S->L;
    redo_queue *const R = &S->R;
    double zsx[BSLOTS], zsy[BSLOTS]; /* z at the batch's first step */
    vd x[BNV], y[BNV], cr[BNV];
    _Pragma("GCC unroll 16")
    for (int u = 0; u < nv; u++) {
        x[u] = vload(S->x + u * W);
        y[u] = vload(S->y + u * W);
        cr[u] = vload(S->cr + u * W);
    }
    uint64_t live = S->live, t = S->t, t_limit = S->t_limit, next_check = S->next_check;

    for (;;) {
        /* A batch ends at the latest at t_limit and at the next cycle check. */
        uint64_t end = t_limit;
        if (row->shortcuts && next_check < end) end = next_check;
        uint64_t const t_s = t;
        _Pragma("GCC unroll 16")
        for (int u = 0; u < nv; u++) {
            vstore(zsx + u * W, x[u]);
            vstore(zsy + u * W, y[u]);
        }
        if (K > 1) {
            /* The hot loop: steps without a test. */
            if (end - t >= K - 1) {
                _Pragma("GCC unroll 16")
                for (unsigned i = 1; i < K; i++) {
                    _Pragma("GCC unroll 16")
                    for (int u = 0; u < nv; u++) {
                        vd const x2 = vmul(x[u], x[u]), y2 = vmul(y[u], y[u]), xy = vmul(x[u], y[u]);
                        x[u] = vadd(vsub(x2, y2), cr[u]);
                        y[u] = BALANCE && (u & 1) ? step_y_add(var, xy, ci) : step_y(var, xy, two, ci);
                    }
                }
                t += K - 1;
            } else {
                for (; t < end; t++) {
                    _Pragma("GCC unroll 16")
                    for (int u = 0; u < nv; u++) {
                        vd const x2 = vmul(x[u], x[u]), y2 = vmul(y[u], y[u]), xy = vmul(x[u], y[u]);
                        x[u] = vadd(vsub(x2, y2), cr[u]);
                        y[u] = step_y(var, xy, two, ci);
                    }
                }
            }
        }
        /* The batch's last step, tested; then every lane steps on (to t + 1). */
        uint64_t bits = 0;
        _Pragma("GCC unroll 16")
        for (int u = 0; u < nv; u++) {
            vd const x2 = vmul(x[u], x[u]), y2 = vmul(y[u], y[u]), xy = vmul(x[u], y[u]);
            bits |= (uint64_t)vmbits(vnlt(vadd(x2, y2), four)) << (u * W);
            x[u] = vadd(vsub(x2, y2), cr[u]);
            y[u] = step_y(var, xy, two, ci);
        }
        bits &= live;
        /* Lanes done: escaped (bits), at max_iter, or repeating. */
        uint64_t gone = bits;
        vd const tv = vset1((double)t);
        if (row->shortcuts && t >= next_check) {
            next_check = t + CHECK_EVERY;
            /* Compare z_{t+1} with the saved z, then save it where a lane's age has doubled
             * since its last save, so that any period eventually fits between saves. The
             * saved z counts only if it is this pixel's: sborn, the born of the pixel that
             * saved it, equals the lane's born (borns in a lane only grow, and
             * batch_compact() moves both), so a lane's new pixel needs no store. A lane
             * not in `bits` has not passed the test up to t (every step tested, or the
             * batch's argument above); if z_{t+1} repeats a saved z_a (a <= t), its orbit
             * cycles through z_a .. z_t, none of which passes: the plain kernel would reach
             * max_iter too. */
            _Pragma("GCC unroll 16")
            for (int u = 0; u < nv; u++) {
                double *const psx = L->sx + u * W, *const psy = L->sy + u * W;
                double *const psa = L->save_at + u * W, *const psb = L->sborn + u * W;
                vd const born = vload(L->born + u * W), age = vsub(tv, born);
                /* The saved z is this pixel's (saved since its lane took it). */
                vm const mine = veq(vload(psb), born);
                vm const busy = vmask(~(bits >> (u * W)) & ((1u << W) - 1));
                vm const rep = vmand(vmand(veq(x[u], vload(psx)), veq(y[u], vload(psy))),
                                     vmand(mine, busy));
                /* Due: the first save at age FIRST_SAVE or later, then at save_at. */
                vm const due = vmor(vmand(mine, vge(tv, vload(psa))),
                                    vmand(vmask(~vmbits(mine) & ((1u << W) - 1)), vge(age, first_save)));
                vstore_mask(psx, due, x[u]);
                vstore_mask(psy, due, y[u]);
                vstore_mask(psa, due, vadd(tv, age));
                vstore_mask(psb, due, born);
                write_limit(row, counts, L->pix + u * W, rep);
                gone |= (uint64_t)vmbits(rep) << (u * W);
            }
        }
        if (gone == 0 && t < t_limit) {
            t++;
            continue;
        }
        bool const at_limit = t >= t_limit;
        if (at_limit) {
            /* Lanes at max_iter (tested, not escaped) get max_iter. */
            _Pragma("GCC unroll 16")
            for (int u = 0; u < nv; u++) {
                vd const pix = vload(L->pix + u * W);
                vm done = vmand(vge(vsub(tv, vload(L->born + u * W)), lim), veq(pix, pix));
                done = vmand(done, vmask(~(gone >> (u * W)) & ((1u << W) - 1)));
                write_limit(row, counts, L->pix + u * W, done);
                gone |= (uint64_t)vmbits(done) << (u * W);
            }
        }
        /* Escapes go to the redo queue with z at the batch's start, and the freed lanes take
         * new pixels: z_1 at t + 1 (born at t). */
        if (q->len - q->pos < slots && q->next < row->n) queue_fill(q, row, counts, sb);
        expand_pixels(q, q->pos, gone, x, y, cr, ci, nv);
        live = (live & ~gone) | give_pixels(L, q, R, gone, bits, (double)t_s, (double)t, zsx, zsy);
        t++;
        if (R->len >= slots) redo_flush(R, row, counts, sb, var, K, nv, false, ci, two, four);
        if (L->active == 0) break;
        if (at_limit) t_limit = limit_of(L, row);
        if (tail_at > 0 && L->active <= tail_at && q->pos >= q->len && q->next >= row->n) {
            /* The row's last pixels: hand them to a narrower stage. */
            _Pragma("GCC unroll 16")
            for (int u = 0; u < nv; u++) {
                vstore(S->x + u * W, x[u]);
                vstore(S->y + u * W, y[u]);
                vstore(S->cr + u * W, cr[u]);
            }
            S->live = live;
            S->t = t;
            S->t_limit = t_limit;
            S->next_check = next_check;
            return true;
        }
    }
    redo_flush(R, row, counts, sb, var, K, nv, true, ci, two, four);
    return false;
}

/* Moves the lanes holding a pixel (S->live) to lanes 0, 1, ... (x, y, c and what L keeps of
 * each), the others empty: what a lane computes does not depend on where it is. */
static void batch_compact(batch_state *S, const kernel_variant *v)
{
    lanes *const L = &S->L;
    unsigned k = 0;
    for (uint64_t e = S->live; e != 0; e &= e - 1, k++) {
        unsigned const l = (unsigned)__builtin_ctzll(e);
        S->x[k] = S->x[l];
        S->y[k] = S->y[l];
        S->cr[k] = S->cr[l];
        L->sx[k] = L->sx[l];
        L->sy[k] = L->sy[l];
        L->save_at[k] = L->save_at[l];
        L->sborn[k] = L->sborn[l];
        L->born[k] = L->born[l];
        L->cr[k] = L->cr[l];
        L->pix[k] = L->pix[l];
    }
    double const nan = __builtin_nan("");
    for (unsigned l = k; l < BSLOTS; l++) {
        S->x[l] = S->y[l] = nan;
        S->cr[l] = L->cr[l] = v->julia ? v->julia_re : nan;
        L->sx[l] = L->sy[l] = L->save_at[l] = L->sborn[l] = L->pix[l] = nan;
        L->born[l] = 0.0;
    }
    S->live = k == 64 ? ~(uint64_t)0 : ((uint64_t)1 << k) - 1;
}

/* The batched machine on a row: nv vectors while the queue has pixels, then, as the row's last
 * pixels finish, TAIL_NV vectors (the lanes moved together by batch_compact()): a vector
 * holding no pixel costs as much as a full one, and at a row's end the longest-lived pixels
 * keep every vector stepping. */
#ifndef TAIL_NV
#define TAIL_NV 2
#endif
__attribute__((always_inline)) static inline void
lanes_batch_body(const kernel_row *row, const kernel_variant *v, uint32_t *counts,
                 smooth_batch *const sb, int const var, unsigned const K, int const nv)
{
    unsigned const slots = (unsigned)nv * W;
    uint64_t const all = slots == 64 ? ~(uint64_t)0 : ((uint64_t)1 << (slots % 64)) - 1;
    batch_state S;
    S.q.pos = S.q.len = S.q.next = 0;
    S.q.v = v;
    queue_fill(&S.q, row, counts, sb);
    if (S.q.len == 0) return;

    vd const ci = vset1(row_ci(row, v));
    S.R.len = 0;
    vd x[BNV], y[BNV], cr[BNV];
    /* Lanes past the queue's pixels are empty: NaN pixel, x and c (from the queue's NaN tail);
     * the cycle detection's saved z of every lane is NaN. */
    vd const nan = vset1(__builtin_nan(""));
    for (unsigned s = 0; s < BSLOTS; s += W) {
        vstore(S.L.pix + s, nan);
        vstore(S.L.sx + s, nan);
        vstore(S.L.sy + s, nan);
        vstore(S.L.save_at + s, nan);
        vstore(S.L.sborn + s, nan);
    }
    _Pragma("GCC unroll 16")
    for (int u = 0; u < nv; u++) x[u] = y[u] = cr[u] = vset1(v->julia_re);
    expand_pixels(&S.q, S.q.pos, all, x, y, cr, ci, nv);
    _Pragma("GCC unroll 16")
    for (int u = 0; u < nv; u++) {
        vstore(S.x + u * W, x[u]);
        vstore(S.y + u * W, y[u]);
        vstore(S.cr + u * W, cr[u]);
    }
    unsigned const first = S.q.len - S.q.pos < slots ? S.q.len - S.q.pos : slots;
    uint64_t const given = first == 64 ? ~(uint64_t)0 : ((uint64_t)1 << first) - 1;
    S.L.active = first;
    /* The lanes holding a pixel. */
    S.live = give_pixels(&S.L, &S.q, &S.R, given, 0, 0.0, 0.0, NULL, NULL);
    S.t = 1;
    S.t_limit = row->max_iter; /* every lane is born at 0 */
    /* Batches run t = 1..K, K+1..2K, ...: the checks fall on batch ends. */
    S.next_check = S.t + CHECK_EVERY - 1;
    if (nv <= TAIL_NV) {
        lanes_batch_stage(row, v, counts, sb, var, K, nv, &S, 0);
        return;
    }
    if (!lanes_batch_stage(row, v, counts, sb, var, K, nv, &S, TAIL_NV * W)) return;
    batch_compact(&S, v);
    lanes_batch_stage(row, v, counts, sb, var, K, TAIL_NV < nv ? TAIL_NV : nv, &S, 0);
}

/* The machine's instances: for each, counts of the classic set, the burning ship and the
 * tricorn, and the classic set with smooth values. `wide`: BNV vectors, for rows without
 * shortcuts; `narrow`: BNV_SHORTCUTS vectors, for rows with them (most pixels settle without
 * a lane, and the lanes idle at the end of a row cost more than the wider batches save; with
 * the TAIL_NV stage at a row's end 6 vectors still measured 3-4% slower on the tutorial and
 * the whole set at limit 10000, and no faster on seahorse);
 * `step`: batches of one step, for rows with c near |c| = 2 (batch_safe()). */
typedef void lanes_fn(const kernel_row *row, const kernel_variant *v, uint32_t *counts);
#define LANES_INSTANCE(name, K, nv)                                                             \
    static void name##_classic(const kernel_row *row, const kernel_variant *v, uint32_t *counts) \
    {                                                                                           \
        lanes_batch_body(row, v, counts, NULL, KERNEL_CLASSIC, K, nv);                         \
    }                                                                                           \
    static void name##_ship(const kernel_row *row, const kernel_variant *v, uint32_t *counts)    \
    {                                                                                           \
        lanes_batch_body(row, v, counts, NULL, KERNEL_BURNING_SHIP, K, nv);                    \
    }                                                                                           \
    static void name##_tricorn(const kernel_row *row, const kernel_variant *v, uint32_t *counts) \
    {                                                                                           \
        lanes_batch_body(row, v, counts, NULL, KERNEL_TRICORN, K, nv);                         \
    }                                                                                           \
    static void name##_smooth(const kernel_row *row, const kernel_variant *v, uint32_t *counts)  \
    {                                                                                           \
        smooth_batch sb;                                                                        \
        sb.len = 0;                                                                             \
        sb.ci = row_ci(row, v);                                                                 \
        lanes_batch_body(row, v, counts, &sb, KERNEL_CLASSIC, K, nv);                          \
        smooth_flush(&sb, row);                                                                 \
    }
#ifndef BNV_SHORTCUTS
#define BNV_SHORTCUTS 4
#endif
_Static_assert(BNV_SHORTCUTS <= BNV, "BNV is the largest");
LANES_INSTANCE(lanes_wide, BATCH_STEPS, BNV)
LANES_INSTANCE(lanes_narrow, BATCH_STEPS, BNV_SHORTCUTS)
LANES_INSTANCE(lanes_step, 1, BNV_SHORTCUTS)
#undef LANES_INSTANCE

/* [machine][KERNEL_CLASSIC, _BURNING_SHIP, _TRICORN, smooth values of the classic set] */
static lanes_fn *const lanes_machines[3][4] = {
    {lanes_wide_classic, lanes_wide_ship, lanes_wide_tricorn, lanes_wide_smooth},
    {lanes_narrow_classic, lanes_narrow_ship, lanes_narrow_tricorn, lanes_narrow_smooth},
    {lanes_step_classic, lanes_step_ship, lanes_step_tricorn, lanes_step_smooth},
};

/* Whether every lane of the row has |c|^2 <= BATCH_SAFE2 (computed as the lanes' tests are),
 * so that batches of steps are exact: the Julia parameter, or every pixel whose z_1 = c does
 * not escape (|c|^2 >= 4 escapes at n = 1 without a lane; NaN never passes a test). */
static bool batch_safe(const kernel_row *row, const kernel_variant *v)
{
    if (v->julia) return v->julia_re * v->julia_re + v->julia_im * v->julia_im <= BATCH_SAFE2;
    double const ci2 = row->im * row->im;
    const double *const re = row->re;
    uint32_t const n = row->n;
    int bad = 0;
    for (uint32_t j = 0; j < n; j++) {
        double const m = re[j] * re[j] + ci2;
        bad |= (m > BATCH_SAFE2) & (m < 4.0); /* & (not &&): the loop vectorises */
    }
    return !bad;
}

/* ---- short limits: blocks of SLOTS neighbouring pixels, iterated together ------------- */

/* Limits up to this use the block machine; above it, the refilling register machine. Blocks
 * measured faster up to limits of 300 or more on every scene tried (whole set, tutorial,
 * seahorse: docs/kernels-notes.md); 256 leaves a margin. */
#ifndef BLOCK_MAX_ITER
#define BLOCK_MAX_ITER 256
#endif


/* With a short limit most pixels finish within a few steps and neighbours finish together,
 * so refilling lanes one pixel at a time costs more than it saves. Here the NV vectors take
 * SLOTS consecutive pixels and step them together until every one has escaped, is known
 * interior, or has reached the limit. Lanes stay in registers; each step's new escapes set
 * their counts by a masked move (no branch, no log), and the only exit is the block's end.
 * Every iterate of every lane is tested, as in kernel_scalar, so every count is its. */
_Static_assert(SLOTS == 32 && SLOTS % CW == 0, "blocks_run keeps a block's lanes in a uint32_t");

/* Pixels at..at+W-1 of a block of `left` (<= SLOTS) pixels starting at p: NaN past the end. */
static inline vd block_load(const double *p, unsigned left, unsigned at)
{
    return left >= at + W ? vload(p + at) : vload_n(p + at, left > at ? left - at : 0);
}

/* sb: NULL (a constant) for counts only; var: the step (a constant). */
__attribute__((always_inline)) static inline void
blocks_body(const kernel_row *row, const kernel_variant *v, uint32_t *counts,
            smooth_batch *const sb, int const var)
{
    bool const want = sb != NULL;
    /* Read through a volatile so the compiler cannot turn xy * 2 back into xy + xy. */
    static volatile double const two_value = 2.0;
    double const ci_s = row->im, ci2_s = ci_s * ci_s;
    vd const ci = vset1(row_ci(row, v)), ci2 = vset1(ci2_s), four = vset1(4.0), two = vset1(two_value);
    vd const py = vset1(ci_s), jr = vset1(v->julia_re);
    bool const interior = row->shortcuts && kernel_variant_classic(v);
    vd const card = vset1(0.25 * ci2_s - INTERIOR_MARGIN);
    uint32_t const max_iter = row->max_iter;
    vc const all_max = vcset1(max_iter), zero = vcset1(0);
    for (uint32_t j = 0; j < row->n; j += SLOTS) {
        uint32_t const left = row->n - j < SLOTS ? row->n - j : SLOTS;
        const double *const re = row->re + j;
        /* seen: the lanes whose count is settled (escaped, or interior) or that hold no
         * pixel. Bit s is lane s % W of vector s / W, pixel j + s. */
        uint32_t seen = left == SLOTS ? 0 : ~(uint32_t)0 << left;
        vd x[NV], y[NV], cr[NV];
        _Pragma("GCC unroll 16")
        for (unsigned u = 0; u < NV; u++) {
            cr[u] = block_load(re, left, u * W);
            if (interior)
                seen |= (uint32_t)vmbits(interior_mask(cr[u], ci2, card)) << (u * W);
            if (v->julia) {
                /* z_0 = the pixel; z_1 by kernel_formula's step, c the parameter. */
                vd const px = cr[u];
                x[u] = vadd(vsub(vmul(px, px), vmul(py, py)), jr);
                y[u] = step_y(var, vmul(px, py), two, ci);
                cr[u] = jr;
            } else {
                x[u] = cr[u]; /* z_1 = c */
                y[u] = ci;
            }
        }
        vc cnt[SLOTS / CW];
        _Pragma("GCC unroll 16")
        for (int k = 0; k < SLOTS / CW; k++) cnt[k] = all_max;
        vc tv = zero;
        double ex[SLOTS], ey[SLOTS]; /* smooth values only: z at each lane's escape */
        uint32_t escaped = 0;
        /* Step t tests z_t; tv holds t. */
        for (uint32_t t = 1; seen != ~(uint32_t)0; t++) {
            vd x2[NV], y2[NV], xy[NV];
            uint32_t bits = 0;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < NV; u++) {
                x2[u] = vmul(x[u], x[u]);
                y2[u] = vmul(y[u], y[u]);
                xy[u] = vmul(x[u], y[u]);
                bits |= (uint32_t)vmbits(vge(vadd(x2[u], y2[u]), four)) << (u * W);
            }
            bits &= ~seen;
            seen |= bits;
            if (want) {
                escaped |= bits;
                _Pragma("GCC unroll 16")
                for (int u = 0; u < NV; u++) {
                    vm const e = vmask((bits >> (u * W)) & ((1u << W) - 1));
                    vstore_mask(ex + u * W, e, x[u]);
                    vstore_mask(ey + u * W, e, y[u]);
                }
            }
            tv = vcinc(tv);
            _Pragma("GCC unroll 16")
            for (int k = 0; k < SLOTS / CW; k++) cnt[k] = vcput(bits >> (k * CW), tv, cnt[k]);
            if (t == max_iter) break;
            _Pragma("GCC unroll 16")
            for (int u = 0; u < NV; u++) {
                x[u] = vadd(vsub(x2[u], y2[u]), cr[u]);
                y[u] = step_y(var, xy[u], two, ci);
            }
        }
        _Pragma("GCC unroll 16")
        for (unsigned k = 0; k < SLOTS / CW; k++) {
            unsigned const at = k * CW;
            if (left > at) vcstore_n(counts + j + at, cnt[k], left - at < CW ? left - at : CW);
        }
        if (want) {
            /* Lanes past the row's end never escape (they start in `seen`). */
            uint32_t const in_row = left == SLOTS ? ~(uint32_t)0 : ((uint32_t)1 << left) - 1;
            for (uint32_t e = escaped; e != 0; e &= e - 1) {
                unsigned const s = (unsigned)__builtin_ctz(e);
                smooth_push(sb, row, ex[s], ey[s], v->julia ? v->julia_re : re[s],
                            counts[j + s], j + s);
            }
            for (uint32_t e = ~escaped & in_row; e != 0; e &= e - 1)
                row->smooth[j + (unsigned)__builtin_ctz(e)] = (float)max_iter;
        }
    }
}

static void blocks_run(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    blocks_body(row, v, counts, NULL, KERNEL_CLASSIC);
}

static void blocks_run_ship(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    blocks_body(row, v, counts, NULL, KERNEL_BURNING_SHIP);
}

static void blocks_run_tricorn(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    blocks_body(row, v, counts, NULL, KERNEL_TRICORN);
}

static void blocks_run_smooth(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    smooth_batch sb;
    sb.len = 0;
    sb.ci = row_ci(row, v);
    blocks_body(row, v, counts, &sb, KERNEL_CLASSIC);
    smooth_flush(&sb, row);
}

static void lanes_run(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    bool const blocks = row->max_iter <= BLOCK_MAX_ITER;
    int kind = v->variant;
    if (row->smooth != NULL) {
        /* Smooth values: the machines continue z^2 + c (smooth_after_escape), so the classic
         * set and its Julia sets; kernel_formula the others. */
        if (v->variant != KERNEL_CLASSIC) {
            kernel_row_formula(row, v, counts);
            return;
        }
        kind = 3;
    }
    if (blocks) {
        switch (kind) {
        case KERNEL_BURNING_SHIP: blocks_run_ship(row, v, counts); break;
        case KERNEL_TRICORN: blocks_run_tricorn(row, v, counts); break;
        case 3: blocks_run_smooth(row, v, counts); break;
        default: blocks_run(row, v, counts); break;
        }
        return;
    }
    int const machine = !batch_safe(row, v) ? 2 : row->shortcuts ? 1 : 0;
    lanes_machines[machine][kind](row, v, counts);
}

#else /* !LANES_IN_REGISTERS */
/* ---- the other ISAs: the state goes through memory at each event ---------------------- */

#define NO_PIXEL UINT32_MAX
#define CHECK_EVERY 8 /* steps between exact-repeat checks when shortcuts are on */
#define FIRST_SAVE 8  /* a lane's first saved z is its 8th iterate, as in kernel_scalar */
/* Escaped lanes are frozen in registers and refilled together once this many wait: one trip
 * through memory per batch instead of per pixel, for a quarter of the lanes idling briefly. */
#define FREEZE_BATCH (SLOTS / 4)

/* One slot per lane. Only the lane machine's rare events (an escape, a limit, a check)
 * touch this memory; between events the state lives in registers. A lane's age,
 * t - born, is the n of the z it holds; an empty slot holds NaN, which never passes the
 * escape test nor equals anything, and a frozen lane (escaped, count not yet written) too. */
typedef struct lanes {
    double x[SLOTS], y[SLOTS], cr[SLOTS];
    double sx[SLOTS], sy[SLOTS]; /* the saved z of cycle detection */
    double save_at[SLOTS];       /* t of the next save; the vector loop moves it */
    double born_t[SLOTS];        /* born, as a double (exact: t < 2^53) */
    double stop_t[SLOTS];        /* t at which a frozen lane escaped; -1 while it runs */
    double ex[SLOTS], ey[SLOTS]; /* smooth values only: z at a frozen lane's escape */
    smooth_batch *sb;            /* smooth values only, with vsmooth_mu: escapes wait here */
    const kernel_variant *v;
    uint64_t born[SLOTS];
    uint32_t pixel[SLOTS];
    uint64_t t;         /* steps taken by every slot so far */
    uint64_t t_limit;   /* <= the first t at which a live lane reaches max_iter */
    uint32_t next;      /* the next pixel of the row to hand out */
    uint32_t live;
} lanes;

/* Gives slot s the next pixel that needs iterating, settling on the way those whose count
 * is known without a lane: interior points, escapes at n = 1, max_iter = 1. */
static void refill(lanes *L, const kernel_row *row, uint32_t *counts, unsigned s)
{
    const kernel_variant *const v = L->v;
    while (L->next < row->n) {
        uint32_t const j = L->next++;
        double const cr = row->re[j];
        double x1, y1;
        if (settled_without_lane(row, counts, j, cr, L->sb, L->v, &x1, &y1)) continue;
        L->x[s] = x1;
        L->y[s] = y1;
        L->cr[s] = v->julia ? v->julia_re : cr;
        L->sx[s] = L->sy[s] = __builtin_nan("");
        L->born[s] = L->t - 1;
        L->born_t[s] = (double)L->born[s];
        L->stop_t[s] = -1.0;
        L->save_at[s] = (double)(L->born[s] + FIRST_SAVE);
        L->pixel[s] = j;
        if (L->born[s] + row->max_iter < L->t_limit) L->t_limit = L->born[s] + row->max_iter;
        return;
    }
    L->x[s] = L->y[s] = L->cr[s] = L->sx[s] = L->sy[s] = __builtin_nan("");
    L->born[s] = 0;
    L->born_t[s] = 0.0;
    L->save_at[s] = __builtin_inf();
    L->stop_t[s] = -1.0;
    L->pixel[s] = NO_PIXEL;
    L->live--;
}

/* Writes slot s's count and smooth value (`escaped`: its z passed the test, and L->ex,
 * L->ey hold that z), and gives the slot the next pixel. */
static void retire(lanes *L, const kernel_row *row, uint32_t *counts, unsigned s,
                   uint32_t count, bool escaped)
{
    counts[L->pixel[s]] = count;
#ifdef LANES_VSMOOTH
    if (escaped && L->sb != NULL)
        smooth_push(L->sb, row, L->ex[s], L->ey[s], L->cr[s], count, L->pixel[s]);
    else
#endif
    if (row->smooth != NULL)
        row->smooth[L->pixel[s]] =
            escaped ? smooth_after_escape(L->ex[s], L->ey[s], L->cr[s], row_ci(row, L->v), count)
                    : (float)row->max_iter;
    refill(L, row, counts, s);
}

/* Handles what stopped the vector loop at time L->t: frozen lanes, lanes that repeated their
 * saved z (bits in `repeated`), lanes at max_iter. */
static void settle(lanes *L, const kernel_row *row, uint32_t *counts, uint64_t repeated)
{
    uint64_t const t = L->t;
    for (unsigned s = 0; s < SLOTS; s++) {
        if (L->stop_t[s] < 0) continue;
        repeated &= ~((uint64_t)1 << s);
        retire(L, row, counts, s, (uint32_t)((uint64_t)L->stop_t[s] - L->born[s]), true);
    }
    /* An exact repeat of z means the orbit is periodic: the plain kernel would reach
     * max_iter too, so this never changes a count. */
    while (repeated != 0) {
        unsigned const s = (unsigned)__builtin_ctzll(repeated);
        repeated &= repeated - 1;
        retire(L, row, counts, s, row->max_iter, false);
    }
    if (t >= L->t_limit) {
        L->t_limit = UINT64_MAX;
        for (unsigned s = 0; s < SLOTS; s++) {
            if (L->pixel[s] == NO_PIXEL) continue;
            if (t - L->born[s] >= row->max_iter)
                retire(L, row, counts, s, row->max_iter, false);
            if (L->pixel[s] != NO_PIXEL && L->born[s] + row->max_iter < L->t_limit)
                L->t_limit = L->born[s] + row->max_iter;
        }
    }
}

static uint64_t bits_of(const vm m[NV])
{
    uint64_t b = 0;
    for (int u = 0; u < NV; u++) b |= (uint64_t)vmbits(m[u]) << (u * W);
    return b;
}

/* want: smooth values (a constant); sb: where escapes wait for them, or NULL; var: the step
 * (a constant). */
__attribute__((always_inline)) static inline void
lanes_body(const kernel_row *row, const kernel_variant *v, uint32_t *counts, bool const want,
           smooth_batch *sb, int const var)
{
    lanes L;
    L.sb = sb;
    L.v = v;
    if (want)
        for (unsigned s = 0; s < SLOTS; s++) L.ex[s] = L.ey[s] = 0.0;
    L.t = 1;
    L.t_limit = UINT64_MAX;
    L.next = 0;
    L.live = SLOTS;
    for (unsigned s = 0; s < SLOTS; s++) refill(&L, row, counts, s);

    /* Read through a volatile so the compiler cannot turn xy * 2 back into xy + xy. */
    static volatile double const two_value = 2.0;
    vd const ci = vset1(row_ci(row, v)), four = vset1(4.0), two = vset1(two_value);
    vd const nan = vset1(__builtin_nan(""));
    while (L.live > 0) {
        vd x[NV], y[NV], cr[NV], stop_t[NV];
        for (int u = 0; u < NV; u++) {
            x[u] = vload(L.x + u * W);
            y[u] = vload(L.y + u * W);
            cr[u] = vload(L.cr + u * W);
            stop_t[u] = vload(L.stop_t + u * W);
        }
        uint64_t t = L.t;
        vm rep[NV];
        uint32_t frozen = 0;
        uint32_t const batch = L.live < FREEZE_BATCH ? L.live : FREEZE_BATCH;
        bool stop = false, full = false;
        while (!stop) {
            uint64_t const end =
                row->shortcuts && t + CHECK_EVERY < L.t_limit ? t + CHECK_EVERY : L.t_limit;
            /* The hot loop: the count of a lane is the first age whose z passes the test,
             * so every step is tested; NV independent vectors hide the latency. */
            for (;;) {
                vd x2[NV], y2[NV], xy[NV], mag[NV];
                vm any = vmzero();
                for (int u = 0; u < NV; u++) {
                    x2[u] = vmul(x[u], x[u]);
                    y2[u] = vmul(y[u], y[u]);
                    xy[u] = vmul(x[u], y[u]);
                    mag[u] = vadd(x2[u], y2[u]);
                    any = vmor(any, vge(mag[u], four));
                }
                if (vmany(any)) {
                    /* Freeze the escaped lanes at this t and test this step again: their
                     * NaN state passes no test, the others' results are unchanged. */
                    vd const tv = vset1((double)t);
                    for (int u = 0; u < NV; u++) {
                        vm const esc = vge(mag[u], four);
                        if (want) {
                            /* The z that escaped, for its smooth value. */
                            vstore(L.ex + u * W, vsel(esc, x[u], vload(L.ex + u * W)));
                            vstore(L.ey + u * W, vsel(esc, y[u], vload(L.ey + u * W)));
                        }
                        stop_t[u] = vsel(esc, tv, stop_t[u]);
                        x[u] = vsel(esc, nan, x[u]);
                        y[u] = vsel(esc, nan, y[u]);
                        frozen += (uint32_t)__builtin_popcount(vmbits(esc));
                    }
                    if (frozen >= batch) {
                        full = true;
                        break;
                    }
                    continue;
                }
                if (t == end) break;
                for (int u = 0; u < NV; u++) {
                    x[u] = vadd(vsub(x2[u], y2[u]), cr[u]);
                    y[u] = step_y(var, xy[u], two, ci);
                }
                t++;
            }
            if (full || t >= L.t_limit || !row->shortcuts) break;
            /* Compare with the saved z, then save where a lane's age has doubled since its
             * last save, so that any period eventually fits between saves. */
            vm anyrep = vmzero();
            vd const tv = vset1((double)t);
            for (int u = 0; u < NV; u++) {
                vd const sx = vload(L.sx + u * W), sy = vload(L.sy + u * W);
                vd const save_at = vload(L.save_at + u * W);
                rep[u] = vmand(veq(x[u], sx), veq(y[u], sy));
                anyrep = vmor(anyrep, rep[u]);
                vm const due = vge(tv, save_at);
                vstore(L.sx + u * W, vsel(due, x[u], sx));
                vstore(L.sy + u * W, vsel(due, y[u], sy));
                vd const age = vsub(tv, vload(L.born_t + u * W));
                vstore(L.save_at + u * W, vsel(due, vadd(tv, age), save_at));
            }
            stop = vmany(anyrep);
        }
        for (int u = 0; u < NV; u++) {
            vstore(L.x + u * W, x[u]);
            vstore(L.y + u * W, y[u]);
            vstore(L.stop_t + u * W, stop_t[u]);
        }
        L.t = t;
        settle(&L, row, counts, stop ? bits_of(rep) : 0);
    }
}

static void lanes_run_counts(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    lanes_body(row, v, counts, false, NULL, KERNEL_CLASSIC);
}

static void lanes_run_ship(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    lanes_body(row, v, counts, false, NULL, KERNEL_BURNING_SHIP);
}

static void lanes_run_tricorn(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    lanes_body(row, v, counts, false, NULL, KERNEL_TRICORN);
}

static void lanes_run_smooth(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
#ifdef LANES_VSMOOTH
    smooth_batch sb;
    sb.len = 0;
    sb.ci = row_ci(row, v);
    lanes_body(row, v, counts, true, &sb, KERNEL_CLASSIC);
    smooth_flush(&sb, row);
#else
    lanes_body(row, v, counts, true, NULL, KERNEL_CLASSIC);
#endif
}

static void lanes_run(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    if (row->smooth != NULL) {
        /* Smooth values: the machines continue z^2 + c (smooth_after_escape), so the classic
         * set and its Julia sets; kernel_formula the others. */
        if (v->variant != KERNEL_CLASSIC)
            kernel_row_formula(row, v, counts);
        else
            lanes_run_smooth(row, v, counts);
        return;
    }
    switch (v->variant) {
    case KERNEL_BURNING_SHIP: lanes_run_ship(row, v, counts); break;
    case KERNEL_TRICORN: lanes_run_tricorn(row, v, counts); break;
    default: lanes_run_counts(row, v, counts); break;
    }
}

#endif /* LANES_IN_REGISTERS */

#endif /* MANDEL_KERNEL_LANES_H */
