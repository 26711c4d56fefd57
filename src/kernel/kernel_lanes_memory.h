/*
 * kernel/kernel_lanes_memory.h - the lane machine of the generic, SSE2 and AVX2 kernels: NV
 * vectors of W lanes step in registers, and their state goes through memory at each event
 * (an escape, a limit, an exact-repeat check), when lanes are refilled with the row's next
 * pixels.
 *
 * Private to src/kernel/kernel_<isa>.c, which defines W, NV and the wrappers listed in
 * kernel/kernel_lanes.h before including this file.
 *
 * Invariant: every count equals kernel_scalar's (kernel_formula's for the variants): each
 * lane performs kernel_scalar's operations on one pixel in the same order and tests every
 * iterate. What the vector form adds is scheduling only (the polls of a cancel included:
 * the hot loop stops every KERNEL_POLL_STEPS steps, and the machine polls outside it).
 */
#ifndef MANDEL_KERNEL_LANES_MEMORY_H
#define MANDEL_KERNEL_LANES_MEMORY_H

#ifdef LANES_IN_REGISTERS
#error "kernel/kernel_lanes_memory.h is for ISAs without LANES_IN_REGISTERS"
#endif

#include "kernel/kernel_lanes.h"

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
    uint64_t t_poll;    /* the next t at which the machine polls row->poll */
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
    L.t_poll = 1 + KERNEL_POLL_STEPS;
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
            uint64_t end =
                row->shortcuts && t + CHECK_EVERY < L.t_limit ? t + CHECK_EVERY : L.t_limit;
            /* The hot loop stops at the next poll too (below, out of the loops). */
            if (end > L.t_poll) end = L.t_poll;
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
            if (full || t >= L.t_limit || !row->shortcuts || t >= L.t_poll) break;
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
        if (t >= L.t_poll) {
            /* Cancelled: the row's counts are unfinished, and nobody's (kernel.h). */
            if (sched_poll(row->poll)) return;
            L.t_poll = t + KERNEL_POLL_STEPS;
        }
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

#endif /* MANDEL_KERNEL_LANES_MEMORY_H */
