/*
 * kernel/kernel_sse2.c - the escape-time kernel on SSE2 (any x86-64): 4 x 2 lanes in flight.
 *
 * Invariant: every count equals kernel_scalar's. Each lane performs kernel_scalar's
 * operations on one pixel, in the same order and without fused multiply-adds, and tests
 * every iterate, so it produces the same doubles and stops at the same n. What the vector
 * form adds is scheduling only: independent vectors hide the multiply and add latencies,
 * and a lane whose pixel finishes soon takes the row's next pixel
 * (docs/algorithms.md, "Vector kernels").
 */
#ifndef __SSE2__
#error "kernel/kernel_sse2.c must be compiled with -msse2"
#endif

#include "kernel/kernel.h"

#include <emmintrin.h>

#define W 2  /* lanes per vector */
#define NV 4 /* independent vectors: the multiply-add chain is ~9 cycles deep */

typedef __m128d vd;
typedef __m128d vm;

static inline vd vset1(double a) { return _mm_set1_pd(a); }
static inline vd vload(const double *p) { return _mm_loadu_pd(p); }
static inline void vstore(double *p, vd a) { _mm_storeu_pd(p, a); }
static inline vd vadd(vd a, vd b) { return _mm_add_pd(a, b); }
static inline vd vsub(vd a, vd b) { return _mm_sub_pd(a, b); }
static inline vd vmul(vd a, vd b) { return _mm_mul_pd(a, b); }
/* Ordered compares (cmplepd, cmpeqpd): a NaN (an empty lane) never passes. */
static inline vm vge(vd a, vd b) { return _mm_cmpge_pd(a, b); }
static inline vm veq(vd a, vd b) { return _mm_cmpeq_pd(a, b); }
static inline vm vmzero(void) { return _mm_setzero_pd(); }
static inline vm vmor(vm a, vm b) { return _mm_or_pd(a, b); }
static inline vm vmand(vm a, vm b) { return _mm_and_pd(a, b); }
static inline bool vmany(vm m) { return _mm_movemask_pd(m) != 0; }
static inline unsigned vmbits(vm m) { return (unsigned)_mm_movemask_pd(m); }
/* a where m is set, else b */
static inline vd vsel(vm m, vd a, vd b) { return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b)); }

/* ---- the lane machine: identical text in every vector kernel -------------------------- */

#define SLOTS (NV * W)
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
    double const ci = row->im;
    while (L->next < row->n) {
        uint32_t const j = L->next++;
        double const cr = row->re[j];
        if (row->shortcuts && interior_known(cr, ci)) {
            counts[j] = row->max_iter;
            continue;
        }
        /* z_1 = c; this is kernel_scalar's test of it, the same doubles in the same order. */
        if (cr * cr + ci * ci >= 4.0 || row->max_iter == 1) {
            counts[j] = 1;
            continue;
        }
        L->x[s] = cr;
        L->y[s] = ci;
        L->cr[s] = cr;
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

static void retire(lanes *L, const kernel_row *row, uint32_t *counts, unsigned s,
                   uint32_t count)
{
    counts[L->pixel[s]] = count;
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
        retire(L, row, counts, s, (uint32_t)((uint64_t)L->stop_t[s] - L->born[s]));
    }
    /* An exact repeat of z means the orbit is periodic: the plain kernel would reach
     * max_iter too, so this never changes a count. */
    while (repeated != 0) {
        unsigned const s = (unsigned)__builtin_ctzll(repeated);
        repeated &= repeated - 1;
        retire(L, row, counts, s, row->max_iter);
    }
    if (t >= L->t_limit) {
        L->t_limit = UINT64_MAX;
        for (unsigned s = 0; s < SLOTS; s++) {
            if (L->pixel[s] == NO_PIXEL) continue;
            if (t - L->born[s] >= row->max_iter) retire(L, row, counts, s, row->max_iter);
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

static void run(const kernel_row *row, uint32_t *counts)
{
    lanes L;
    L.t = 1;
    L.t_limit = UINT64_MAX;
    L.next = 0;
    L.live = SLOTS;
    for (unsigned s = 0; s < SLOTS; s++) refill(&L, row, counts, s);

    /* Read through a volatile so the compiler cannot turn xy * 2 back into xy + xy. */
    static volatile double const two_value = 2.0;
    vd const ci = vset1(row->im), four = vset1(4.0), two = vset1(two_value);
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
                    /* xy * 2 is xy + xy, bit for bit (overflow included), and moves an
                     * operation from the busier add ports to the multiply ports. */
                    y[u] = vadd(vmul(xy[u], two), ci);
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

void kernel_sse2(const kernel_row *row, uint32_t *counts) { run(row, counts); }
