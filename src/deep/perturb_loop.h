/*
 * deep/perturb_loop.h - a template (no include guard, one use per file): included with
 * PL_W (doubles a vector: 2, 4 or 8), PL_NV (vectors in flight) and PL_ENTRY (the function's
 * name) defined, it defines
 *
 *   void PL_ENTRY(segment *sg)
 *
 * the pixels of a segment of a view whose deltas fit double, PL_W * PL_NV of them in flight
 * (perturb_lanes.h), with their derivatives when the segment wants distances. Exact steps of calm lanes run in the vector loops of perturb_steps.h;
 * a lane that raises an event goes through settle() alone, and a finished pixel's lane
 * takes the segment's next pixel. When lanes run out (the segment's last pixels), the live
 * ones are moved to the front and a narrower loop takes them: half the lanes or fewer never
 * run in a loop twice their number.
 */
#if defined(__AVX__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PL_N_(w, nv) PL_N_##w##_##nv
#define PL_N_2_1 2
#define PL_N_2_2 4
#define PL_N_2_4 8
#define PL_N_4_1 4
#define PL_N_4_2 8
#define PL_N_4_4 16
#define PL_N_8_1 8
#define PL_N_8_2 16
#define PL_N__(w, nv) PL_N_(w, nv)
#define PL_N PL_N__(PL_W, PL_NV)
#define PL_CAT_(a, b) a##b
#define PL_CAT(a, b) PL_CAT_(a, b)

#if PL_N > LANES_MAX || PL_N < 2
#error "PL_W * PL_NV must be 2 .. LANES_MAX"
#endif

/* Loops for 2, 4, ... PL_N lanes: the widest vectors that fit, as many as needed. */
#define PS_W 2
#define PS_NV 1
#define PS_NAME steps_2
#include "deep/perturb_steps.h"
#if PL_N >= 4
#if PL_W >= 4
#define PS_W 4
#define PS_NV 1
#else
#define PS_W 2
#define PS_NV 2
#endif
#define PS_NAME steps_4
#include "deep/perturb_steps.h"
#endif
#if PL_N >= 8
#if PL_W == 8
#define PS_W 8
#define PS_NV 1
#elif PL_W == 4
#define PS_W 4
#define PS_NV 2
#else
#define PS_W 2
#define PS_NV 4
#endif
#define PS_NAME steps_8
#include "deep/perturb_steps.h"
#endif
#if PL_N >= 16
#if PL_W == 8
#define PS_W 8
#define PS_NV 2
#else
#define PS_W 4
#define PS_NV 4
#endif
#define PS_NAME steps_16
#include "deep/perturb_steps.h"
#endif

static inline void lanes_put(lanes *s, uint32_t q, lane l)
{
    s->dzr[q] = l.dzr;
    s->dzi[q] = l.dzi;
    s->dcr[q] = l.dcr;
    s->dci[q] = l.dci;
    s->Dr[q] = l.Dr;
    s->Di[q] = l.Di;
    s->m[q] = l.m;
    s->n[q] = l.n;
    s->l[q] = l;
}

static inline lane lanes_get(const lanes *s, uint32_t q)
{
    lane l = s->l[q];
    l.dzr = s->dzr[q];
    l.dzi = s->dzi[q];
    l.Dr = s->Dr[q];
    l.Di = s->Di[q];
    l.m = s->m[q];
    l.n = s->n[q];
    return l;
}

static inline void lanes_park(lanes *s, uint32_t q)
{
    s->dzr[q] = s->dzi[q] = NAN;
    s->dcr[q] = s->dci[q] = 0.0;
    s->Dr[q] = s->Di[q] = 0.0;
    s->m[q] = s->n[q] = 0;
    s->l[q].j = LANE_DEAD;
}

/* The loop; de (a constant where it is inlined): carry the derivative (sg->distance). */
static inline __attribute__((always_inline)) void PL_CAT(run_, PL_N)(segment *sg, bool const de)
{
    const perturb_job *const job = sg->job;
    const orbit_pt *const zo = job->orb->z;
    uint32_t const len = job->orb->len, max_iter = job->max_iter;
    double const sd = de ? fe_to_d(job->step) : 0.0;
    double const bs = de ? fe_ldexp(job->step.m, job->step.e - job->b_exp) : 0.0;
    lanes s;
    uint32_t live = 0;
    for (uint32_t q = 0; q < PL_N && sg->next < sg->n; q++) {
        lane const l = settle(sg, lane_start(sg, sg->next++));
        if (l.j != LANE_DEAD) lanes_put(&s, live++, l);
    }
    for (uint32_t q = live; q < PL_N; q++) lanes_park(&s, q);
    while (live > 0) {
        steps_ctx cx = {zo, job->bla, len, max_iter, live, sd, bs, 0, 0, 0};
        unsigned ev;
#if PL_N == 2
        ev = steps_2(&s, &cx, de);
#else
        if (live <= 2)
            ev = steps_2(&s, &cx, de);
#if PL_N >= 8
        else if (live <= 4)
            ev = steps_4(&s, &cx, de);
#endif
#if PL_N >= 16
        else if (live <= 8)
            ev = steps_8(&s, &cx, de);
#endif
        else
            ev = PL_CAT(steps_, PL_N)(&s, &cx, de);
#endif
        sg->st->bla_skips += cx.skips;
        sg->st->bla_iters += cx.skipped;
        sg->budget -= (int64_t)cx.steps * live + (int64_t)cx.skipped;
        if (sg->budget <= 0 && segment_poll(sg)) return;
        for (uint32_t q = 0; q < live; q++) {
            if (s.m[q] == len || s.n[q] >= max_iter) ev |= 1u << q;
            __asm__("" : "+r"(ev)); /* scalar: see perturb_steps.h */
        }
        /* from the top down: a lane that ends takes the last live lane's place, which has
         * been dealt with already */
        for (uint32_t q = live; q-- > 0;) {
            if ((ev >> q & 1) == 0) continue;
            lane const l = settle(sg, lanes_get(&s, q));
            if (l.j != LANE_DEAD) {
                lanes_put(&s, q, l);
                continue;
            }
            live--;
            if (q != live) lanes_put(&s, q, lanes_get(&s, live));
            lanes_park(&s, live);
        }
        if (sg->stop) return;
    }
}

void PL_ENTRY(segment *sg)
{
    if (sg->distance != NULL)
        PL_CAT(run_, PL_N)(sg, true);
    else
        PL_CAT(run_, PL_N)(sg, false);
}

#undef PL_N
#undef PL_W
#undef PL_NV
#undef PL_ENTRY
