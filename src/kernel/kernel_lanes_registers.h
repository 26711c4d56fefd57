/*
 * kernel/kernel_lanes_registers.h - the AVX-512 machines: the batched register machine for
 * limits above BLOCK_MAX_ITER and the block machine for shorter ones, chosen per row by
 * lanes_run().
 *
 * Private to src/kernel/kernel_avx512.c, which defines W, NV, LANES_IN_REGISTERS and the
 * wrappers listed in kernel/kernel_lanes.h (those of 32 vector registers and masked
 * expand-loads included) before including this file.
 *
 * Invariant: every count equals kernel_scalar's (kernel_formula's for the variants): each
 * lane performs kernel_scalar's operations on one pixel in the same order; the batched
 * machine tests every BATCH_STEPS-th iterate and finds the first that passes by stepping
 * again from z saved at the batch's start (the argument is at lanes_batch_body), the block
 * machine tests every step. What the vector form adds is scheduling only.
 */
#ifndef MANDEL_KERNEL_LANES_REGISTERS_H
#define MANDEL_KERNEL_LANES_REGISTERS_H

#ifndef LANES_IN_REGISTERS
#error "kernel/kernel_lanes_registers.h needs LANES_IN_REGISTERS and its wrappers (AVX-512)"
#endif

#include "kernel/kernel_lanes.h"

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
    uint64_t live, t, t_limit, next_check, next_poll;
} batch_state;

/* Steps between two polls of row->poll (kernel.h): whole cycle-check intervals, so whole
 * batches, so that from t = 1 the polls fall on batch ends without cutting one short. */
#define POLL_EVERY (CHECK_EVERY * (KERNEL_POLL_STEPS / CHECK_EVERY))

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
    uint64_t next_poll = S->next_poll;
    /* t_limit or the next poll, whichever comes first: where the batches stop. */
    uint64_t t_stop = t_limit < next_poll ? t_limit : next_poll;

    for (;;) {
        /* A batch ends at the latest at t_limit, at the next poll and at the next cycle
         * check. */
        uint64_t end = t_stop;
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
        if (gone == 0 && t < t_stop) {
            t++;
            continue;
        }
        if (t >= next_poll) {
            /* Cancelled: the row's counts are unfinished, and nobody's (kernel.h). */
            if (sched_poll(row->poll)) return false;
            next_poll = t + POLL_EVERY;
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
        t_stop = t_limit < next_poll ? t_limit : next_poll;
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
            S->next_poll = next_poll;
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
    S.next_poll = S.t + POLL_EVERY - 1;
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

#endif /* MANDEL_KERNEL_LANES_REGISTERS_H */
