/*
 * deep/perturb.c - per-pixel perturbation: a pixel c = C + dc iterates its difference
 * dz_n = z_n - Z_m from the reference orbit, dz' = (2 Z_m + dz) dz + dc, in double, or in
 * floatexp while dz is too small for double.
 *
 * Rebasing (Zhuoran, 2021): whenever |Z_m + dz| < |dz|, or the reference orbit has ended,
 * the pixel continues from reference index 0 with dz = Z_m + dz (Z_0 = 0, so that is its
 * own z). The pixel's delta then never grows large against the reference, which is what
 * makes one reference serve the whole image without glitches. BLA entries (bla.c) replace
 * runs of steps while |dz| is within their radius.
 *
 * Smooth values and distances (when asked): at the escape z = Z_m + dz goes through the
 * double kernels' continuation (smooth_after_escape, kernel_formula.c), so the values match
 * theirs; distances carry the derivative dz/dc along (pixel_end, perturb_pixel_full), one
 * pixel at a time, and come out in pixels. Counts-only renders take none of these paths.
 *
 * Invariant: n counts the pixel's own iterations and its escape is tested on z = Z_m + dz
 * after every step or skipped block, exactly as the definition tests z_n; a skipped block
 * never crosses max_iter, so counts are never capped silently.
 */
#include "deep/perturb_lanes.h"

/* Floatexp deltas switch to double above 2^FE_TO_DOUBLE_EXP and back below
 * 2^DOUBLE_TO_FE_EXP: in between, dc (below 2^-884 in a floatexp view) is 2^-380 of dz and
 * double loses nothing. */
#define FE_TO_DOUBLE_EXP (-450)
#define DOUBLE_TO_FE_NORM 0x1p-1000 /* |dz|^2, i.e. |dz| < 2^-500 */

#define SQRT2_UP 1.4142135623730952 /* sqrt(2) rounded up: sqrt2 * max(|x|,|y|) >= |x+iy| */

fec perturb_offset(fe step, uint32_t width, uint32_t height, int64_t col, int64_t row)
{
    double const ox = (double)col - (width - 1) / 2.0;
    double const oy = -((double)row - (height - 1) / 2.0);
    return fec_make(ox * step.m, oy * step.m, step.e);
}

static void stats_add(perturb_stats *to, const perturb_stats *from)
{
    __atomic_fetch_add(&to->pixels, from->pixels, __ATOMIC_RELAXED);
    __atomic_fetch_add(&to->iterations, from->iterations, __ATOMIC_RELAXED);
    __atomic_fetch_add(&to->bla_skips, from->bla_skips, __ATOMIC_RELAXED);
    __atomic_fetch_add(&to->bla_iters, from->bla_iters, __ATOMIC_RELAXED);
    __atomic_fetch_add(&to->steps, from->steps, __ATOMIC_RELAXED);
    __atomic_fetch_add(&to->fe_steps, from->fe_steps, __ATOMIC_RELAXED);
    __atomic_fetch_add(&to->rebases, from->rebases, __ATOMIC_RELAXED);
}

#define FEC_ONE ((fec){0.5, 0.0, 1})

/* A pixel's poll, due at step n >= *poll_at: true if the render is cancelled, else the next
 * poll is set PERTURB_POLL_STEPS on. */
static bool cancelled(sched_worker *w, uint32_t n, uint32_t *poll_at)
{
    if (sched_poll(w)) return true;
    *poll_at = n < UINT32_MAX - PERTURB_POLL_STEPS ? n + PERTURB_POLL_STEPS : UINT32_MAX;
    return false;
}

/* One pixel; with `de`, the derivative too, and *end gets z (and the derivative) at the
 * escape. Inlined into its two callers, so the counts-only one carries none of it. */
static inline __attribute__((always_inline)) uint32_t
pixel_core(const perturb_job *job, fec dc, perturb_stats *st, bool de, pixel_end *end,
           sched_worker *w)
{
    const orbit *const o = job->orb;
    const orbit_pt *const zo = o->z;
    const bla_table *const bla = job->bla;
    uint32_t const len = o->len, max_iter = job->max_iter;
    double dcr, dci;
    fec_to_d(dc, &dcr, &dci);
    /* dc scaled for the double table's b (bla.h): pixel offsets, of order 1 .. 1e4 */
    double const dsr = fe_ldexp(dc.re, dc.e - job->b_exp);
    double const dsi = fe_ldexp(dc.im, dc.e - job->b_exp);
    bool fe_mode = job->fe_view;
    double dzr = 0.0, dzi = 0.0;
    fec dz = {0.0, 0.0, FE_ZERO_EXP};
    uint32_t m = 0, n = 0;
    /* the derivative: D in double views, der in floatexp views (pixel_end) */
    bool const dfe = job->fe_view;
    double const sd = de && !dfe ? fe_to_d(job->step) : 0.0;         /* step */
    double const bs = de ? fe_ldexp(job->step.m, job->step.e - job->b_exp) : 0.0; /* B 2^-b_exp step */
    double Dr = 0.0, Di = 0.0;
    fec der = {0.0, 0.0, FE_ZERO_EXP};
    end->escaped = false;
    end->stopped = false;
    uint32_t poll_at = PERTURB_POLL_STEPS; /* n of the next poll for a cancel */

    for (;;) {
        if (!fe_mode) {
            while (n < max_iter) {
                const bla_dentry *e = NULL;
                uint32_t steps = 1;
                if (bla != NULL && bla->n_starts > 0)
                    e = bla_dlookup(bla, m, max_abs(dzr, dzi), max_iter - n, &steps);
                if (e != NULL) {
                    if (de && !dfe) {
                        bla_dapply_d(e, bs, &Dr, &Di);
                    } else if (de) {
                        der = fec_add(fec_mul_d(der, e->ar, e->ai),
                                      fec_make(e->br, e->bi, -job->b_exp));
                    }
                    bla_dapply(e, dsr, dsi, &dzr, &dzi);
                    m += steps;
                    n += steps;
                    st->bla_skips++;
                    st->bla_iters += steps;
                } else {
                    if (de) {
                        double const xr = zo[m].re + dzr, xi = zo[m].im + dzi;
                        if (!dfe) {
                            double const nr = 2.0 * (xr * Dr - xi * Di) + sd;
                            double const ni = 2.0 * (xr * Di + xi * Dr);
                            Dr = nr;
                            Di = ni;
                        } else {
                            der = fec_add(fec_mul_d(der, 2.0 * xr, 2.0 * xi), FEC_ONE);
                        }
                    }
                    double const tr = 2.0 * zo[m].re + dzr, ti = 2.0 * zo[m].im + dzi;
                    double const nr = (tr * dzr - ti * dzi) + dcr;
                    double const ni = (tr * dzi + ti * dzr) + dci;
                    dzr = nr;
                    dzi = ni;
                    m++;
                    n++;
                    st->steps++;
                }
                double const zr = zo[m].re + dzr, zi = zo[m].im + dzi;
                double const z2 = zr * zr + zi * zi;
                if (z2 >= 4.0) {
                    *end = (pixel_end){true, false, zr, zi, Dr, Di, der, 0.0};
                    return n;
                }
                if (__builtin_expect(n >= poll_at, 0) && cancelled(w, n, &poll_at)) {
                    end->stopped = true;
                    return max_iter;
                }
                double dz2 = dzr * dzr + dzi * dzi;
                if (m == len || z2 < dz2) {
                    st->rebases++;
                    dzr = zr;
                    dzi = zi;
                    dz2 = z2;
                    m = 0;
                }
                if (job->fe_view && dz2 < DOUBLE_TO_FE_NORM) {
                    dz = fec_make(dzr, dzi, 0);
                    fe_mode = true;
                    break;
                }
            }
            if (!fe_mode) {
                end->dr = Dr; /* for MANDEL_OPT_EXACT's doubt of interior pixels */
                end->di = Di;
                end->der = der;
                return max_iter;
            }
        } else {
            while (n < max_iter) {
                uint32_t steps;
                const bla_entry *e = NULL;
                if (bla != NULL && (m & 1) != 0) {
                    fe const dz_abs =
                        fe_make(fmax(fabs(dz.re), fabs(dz.im)) * SQRT2_UP, dz.e);
                    e = bla_lookup(bla, m, dz_abs, max_iter - n, &steps);
                }
                if (e != NULL) {
                    if (de) der = fec_add(fec_mul(e->a, der), e->b);
                    dz = fec_add(fec_mul(e->a, dz), fec_mul(e->b, dc));
                    m += steps;
                    n += steps;
                    st->bla_skips++;
                    st->bla_iters += steps;
                } else {
                    fec const zm = o->zfe[m];
                    if (de) {
                        fec const x = fec_add(zm, dz);
                        der = fec_add(fec_mul((fec){x.re, x.im, x.e + 1}, der), FEC_ONE);
                    }
                    fec const t = fec_add((fec){zm.re, zm.im, zm.e + 1}, dz);
                    dz = fec_add(fec_mul(t, dz), dc);
                    m++;
                    n++;
                    st->fe_steps++;
                }
                fec const z = fec_add(o->zfe[m], dz);
                double zr, zi;
                fec_to_d(z, &zr, &zi);
                if (zr * zr + zi * zi >= 4.0) {
                    *end = (pixel_end){true, false, zr, zi, Dr, Di, der, 0.0};
                    return n;
                }
                if (__builtin_expect(n >= poll_at, 0) && cancelled(w, n, &poll_at)) {
                    end->stopped = true;
                    return max_iter;
                }
                if (m == len || fe_lt(fec_norm2(z), fec_norm2(dz))) {
                    st->rebases++;
                    dz = z;
                    m = 0;
                }
                if (dz.e > FE_TO_DOUBLE_EXP) {
                    fec_to_d(dz, &dzr, &dzi);
                    fe_mode = false;
                    break;
                }
            }
            if (fe_mode) {
                end->dr = Dr;
                end->di = Di;
                end->der = der;
                return max_iter;
            }
        }
    }
}

uint32_t perturb_pixel(const perturb_job *job, fec dc, perturb_stats *st)
{
    pixel_end end;
    return pixel_core(job, dc, st, false, &end, NULL);
}

/* The smooth value of a pixel that escaped at n with z = zr + i zi: the double kernels'
 * own function (kernel_formula.c), on c rounded to double (after the escape the
 * continuation is in double there too), so colours match across the switch of engines. */
static inline float smooth_at(const perturb_job *job, double zr, double zi, double dcr,
                              double dci, uint32_t n)
{
    return smooth_after_escape(zr, zi, job->cre + dcr, job->cim + dci, n);
}

float perturb_end_smooth(const perturb_job *job, const pixel_end *end, int64_t col, int64_t row,
                         uint32_t n)
{
    if (!end->escaped) return (float)job->max_iter;
    double dcr, dci;
    fec_to_d(perturb_offset(job->step, job->view_width, job->view_height, col, row), &dcr, &dci);
    if (!deep_classic(&job->formula))
        return smooth_after_escape_formula(&job->formula, end->zr, end->zi, job->cre + dcr,
                                           job->cim + dci, n);
    return smooth_at(job, end->zr, end->zi, dcr, dci, n);
}

/* The distance in pixels of a pixel that escaped: the continuation of kernel_formula.c (up
 * to SMOOTH_EXTRA steps on to |z|^2 > SMOOTH_RADIUS2, the derivative carried along), then
 * |z| ln|z| / |dz/dc| / step. */
static float distance_at(const perturb_job *job, const pixel_end *end, double dcr, double dci)
{
    double const cr = job->cre + dcr, ci = job->cim + dci;
    double x = end->zr, y = end->zi, Dr = end->dr, Di = end->di;
    fec der = end->der;
    double const sd = job->fe_view ? 0.0 : fe_to_d(job->step);
    for (int k = 0; k < SMOOTH_EXTRA && x * x + y * y <= SMOOTH_RADIUS2; k++) {
        if (job->fe_view) {
            der = fec_add(fec_mul_d(der, 2.0 * x, 2.0 * y), FEC_ONE);
        } else {
            double const nr = 2.0 * (x * Dr - y * Di) + sd;
            double const ni = 2.0 * (x * Di + y * Dr);
            Dr = nr;
            Di = ni;
        }
        double const x2 = x * x, y2 = y * y, xy = x * y;
        x = (x2 - y2) + cr;
        y = (xy + xy) + ci;
    }
    double const r2 = x * x + y * y;
    double const top = sqrt(r2) * (0.5 * log(r2)); /* |z| ln|z| */
    if (!job->fe_view) {
        double const d = sqrt(Dr * Dr + Di * Di);
        return d > 0 ? (float)(top / d) : INFINITY;
    }
    fe const d = fe_mul(fec_abs(der), job->step);
    return d.m > 0 ? (float)fe_to_d(fe_div(fe_make(top, 0), d)) : INFINITY;
}

/* What stands for the distance of a pixel that never escaped, for MANDEL_OPT_EXACT's doubt:
 * 1 / |dz/dc| in pixels at max_iter (the derivative of a pixel deep inside a component
 * stays small; near its boundary it grows without bound). */
static double interior_doubt(const perturb_job *job, const pixel_end *end)
{
    double d;
    if (!job->fe_view) {
        d = sqrt(end->dr * end->dr + end->di * end->di);
    } else {
        fe const a = fe_mul(fec_abs(end->der), job->step);
        d = a.m > 0 ? fe_to_d(a) : 0.0;
    }
    return d > 0 ? 1.0 / d : INFINITY;
}

uint32_t perturb_pixel_full(const perturb_job *job, fec dc, perturb_stats *st, float *smooth,
                            float *distance, sched_worker *w, bool *stopped)
{
    pixel_end end;
    uint32_t const n = pixel_core(job, dc, st, distance != NULL, &end, w);
    *stopped = end.stopped;
    if (end.stopped) return n;
    double dcr, dci;
    fec_to_d(dc, &dcr, &dci);
    if (smooth != NULL)
        *smooth = end.escaped ? smooth_at(job, end.zr, end.zi, dcr, dci, n)
                              : (float)job->max_iter;
    if (distance != NULL)
        *distance = end.escaped      ? distance_at(job, &end, dcr, dci)
                    : job->doubt ? -(float)interior_doubt(job, &end)
                                 : 0.0f;
    return n;
}

double perturb_doubt_distance(const perturb_job *job, const pixel_end *end, int64_t col,
                              int64_t row)
{
    if (!end->escaped) return interior_doubt(job, end);
    double dcr, dci;
    fec_to_d(perturb_offset(job->step, job->view_width, job->view_height, col, row), &dcr, &dci);
    return distance_at(job, end, dcr, dci);
}

/* ------------------------------------------------------------------------------------- */
/* Views whose deltas fit double (step >= 2^-900): several pixels in flight.
 *
 * One pixel's exact steps form a chain of dependent adds and multiplies (4 operations of
 * 3-4 cycles a step); independent pixels fill each other's gaps, several to a vector
 * register. The vector loops (perturb_loop.h, perturb_steps.h; one build per ISA) do exact
 * steps of their lanes while each is "calm": not escaped, no rebase due, below max_iter and
 * the end of the orbit, and no BLA block from its reference index that fits (rmin[m], the
 * radius of the shortest double block from m or 0, makes that one comparison). A lane whose
 * only event is a block that fits takes it in the loop, as settle() would; anything else
 * goes to settle(), which decides as perturb_pixel does: so a pixel's count does not depend
 * on which pixels share the loop with it, nor on the ISA, and equals perturb_pixel's. */

lane lane_start(const segment *sg, uint32_t j)
{
    const perturb_job *const job = sg->job;
    fec const dc = perturb_offset(job->step, job->view_width, job->view_height,
                                  job->rect_x + sg->x + j, job->rect_y + sg->row);
    lane l = {.j = j}; /* dz = 0, D = 0 */
    fec_to_d(dc, &l.dcr, &l.dci);
    l.dsr = fe_ldexp(dc.re, dc.e - job->b_exp);
    l.dsi = fe_ldexp(dc.im, dc.e - job->b_exp);
    return l;
}

/* One exact step of lane l (perturb_pixel's), with its derivative when de. */
static inline void lane_step(const orbit_pt *zo, lane *l, bool de, double sd)
{
    if (de) {
        double const xr = zo[l->m].re + l->dzr, xi = zo[l->m].im + l->dzi;
        double const nr = 2.0 * (xr * l->Dr - xi * l->Di) + sd;
        double const ni = 2.0 * (xr * l->Di + xi * l->Dr);
        l->Dr = nr;
        l->Di = ni;
    }
    double const tr = 2.0 * zo[l->m].re + l->dzr, ti = 2.0 * zo[l->m].im + l->dzi;
    double const nr = (tr * l->dzr - ti * l->dzi) + l->dcr;
    double const ni = (tr * l->dzi + ti * l->dzr) + l->dci;
    l->dzr = nr;
    l->dzi = ni;
    l->m++;
    l->n++;
}

/* A finished lane's results: its count, smooth value and distance (perturb_pixel_full's). */
static void lane_finish(segment *sg, const lane *l, bool escaped, double zr, double zi)
{
    const perturb_job *const job = sg->job;
    sg->out[l->j] = l->n;
    if (sg->smooth != NULL)
        sg->smooth[l->j] = escaped ? smooth_at(job, zr, zi, l->dcr, l->dci, l->n)
                                   : (float)job->max_iter;
    if (sg->distance != NULL) {
        pixel_end const end = {escaped, false, zr, zi, l->Dr, l->Di, {0.0, 0.0, FE_ZERO_EXP},
                               0.0};
        sg->distance[l->j] = escaped      ? distance_at(job, &end, l->dcr, l->dci)
                             : job->doubt ? -(float)interior_doubt(job, &end)
                                          : 0.0f;
    }
}

/* Brings lane l to a calm state (see above) or to its end, after any number of steps:
 * the checks perturb_pixel makes after a step, then BLA blocks and exact steps until calm.
 * A finished pixel's count goes out and the lane takes the segment's next pixel. */
lane settle(segment *sg, lane l)
{
    const perturb_job *const job = sg->job;
    const orbit_pt *const zo = job->orb->z;
    const bla_table *const bla = job->bla;
    uint32_t const len = job->orb->len, max_iter = job->max_iter;
    bool const de = sg->distance != NULL;
    double const sd = de ? fe_to_d(job->step) : 0.0;
    double const bs = de ? fe_ldexp(job->step.m, job->step.e - job->b_exp) : 0.0;
    while (l.j != LANE_DEAD) {
        /* after a step: escape, rebase, the limit */
        double const zr = zo[l.m].re + l.dzr, zi = zo[l.m].im + l.dzi;
        double const z2 = zr * zr + zi * zi;
        bool const escaped = z2 >= 4.0;
        bool done = escaped;
        if (!done && (l.m == len || z2 < l.dzr * l.dzr + l.dzi * l.dzi)) {
            sg->st->rebases++;
            l.dzr = zr;
            l.dzi = zi;
            l.m = 0;
        }
        if (!done && l.n >= max_iter) {
            l.n = max_iter;
            done = true;
        }
        if (done) {
            lane_finish(sg, &l, escaped, zr, zi);
            if (sg->next < sg->n)
                l = lane_start(sg, sg->next++);
            else
                l.j = LANE_DEAD;
            continue;
        }
        /* calm unless a block starts here and fits */
        const bla_dentry *e = NULL;
        uint32_t steps = 0;
        if (bla != NULL && bla->n_starts > 0)
            e = bla_dlookup(bla, l.m, max_abs(l.dzr, l.dzi), max_iter - l.n, &steps);
        if (e != NULL) {
            if (de) bla_dapply_d(e, bs, &l.Dr, &l.Di);
            bla_dapply(e, l.dsr, l.dsi, &l.dzr, &l.dzi);
            l.m += steps;
            l.n += steps;
            sg->st->bla_skips++;
            sg->st->bla_iters += steps;
            /* Polled here only: between two blocks a lane does at most a block start's
             * spacing of exact steps here, or it is calm and leaves (the loops poll). */
            sg->budget -= steps;
            if (sg->budget <= 0 && segment_poll(sg)) {
                l.j = LANE_DEAD;
                return l;
            }
        } else if (bla == NULL || bla->rmin == NULL ||
                   max_iter - l.n < (UINT32_C(1) << bla->dmin) ||
                   !(max_abs(l.dzr, l.dzi) < bla->rmin[l.m])) {
            /* calm: the fast loop's exact step is the right one */
            return l;
        } else {
            lane_step(zo, &l, de, sd);
        }
    }
    return l;
}

bool segment_poll(segment *sg)
{
    sg->budget = PERTURB_POLL_STEPS;
    if (sched_poll(sg->w)) {
        sg->stop = true;
        sg->next = sg->n;
    }
    return sg->stop;
}

static void segment_double(segment *sg)
{
    const perturb_job *const job = sg->job;
    const orbit_pt *const zo = job->orb->z;
    const double *const rmin = job->bla != NULL ? job->bla->rmin : NULL;
    if (rmin == NULL) {
        bool const de = sg->distance != NULL;
        double const sd = de ? fe_to_d(job->step) : 0.0;
        /* no double blocks (short orbits): one pixel at a time, through settle() */
        while (sg->next < sg->n) {
            lane l = settle(sg, lane_start(sg, sg->next++));
            while (l.j != LANE_DEAD) {
                lane_step(zo, &l, de, sd);
                if (--sg->budget <= 0 && segment_poll(sg)) return;
                l = settle(sg, l);
            }
        }
        return;
    }
    job->lanes(sg);
}

/* The base loop: 2 x 2 lanes, two doubles a vector (SSE2 on x86-64, NEON on arm64), built
 * with the target's default flags. */
#define PL_W 2
#define PL_NV 2
#define PL_ENTRY perturb_lanes_base
#include "deep/perturb_loop.h"

perturb_lanes_fn *perturb_lanes_select(mandel_isa isa)
{
    /* The kernels' CPU probes (the loops are built with the same flags as the kernels).
     * AUTO takes the 16 AVX-512 lanes where the CPU has them: on the machine measured (AMD
     * Zen 4, which splits 512-bit operations in two) they are 5-10% faster than 8 AVX2
     * lanes since the loop applies BLA blocks itself (docs/deep-notes.md). */
#ifdef MANDEL_HAVE_DEEP_AVX512
    if ((isa == MANDEL_ISA_AUTO || isa == MANDEL_ISA_AVX512) &&
        kernel_available(MANDEL_ISA_AVX512))
        return perturb_lanes_avx512;
#endif
#ifdef MANDEL_HAVE_DEEP_AVX2
    if ((isa == MANDEL_ISA_AUTO || isa == MANDEL_ISA_AVX512 || isa == MANDEL_ISA_AVX2) &&
        kernel_available(MANDEL_ISA_AVX2))
        return perturb_lanes_avx2;
#endif
    (void)isa;
    return perturb_lanes_base;
}

const char *perturb_lanes_name(perturb_lanes_fn *fn)
{
#ifdef MANDEL_HAVE_DEEP_AVX512
    if (fn == perturb_lanes_avx512) return "avx512";
#endif
#ifdef MANDEL_HAVE_DEEP_AVX2
    if (fn == perturb_lanes_avx2) return "avx2";
#endif
    return fn == perturb_lanes_base ? "base" : "?";
}

/* Pixels x..x+n-1 of `row` with one table; false when a cancel cut them short. */
static bool segment_run(const perturb_job *job, sched_worker *w, uint32_t row, uint32_t x,
                        uint32_t n, uint32_t *out)
{
    int64_t const view_row = job->rect_y + row;
    size_t const at = (size_t)row * job->stride + x;
    float *const smooth = job->smooth != NULL ? job->smooth + at : NULL;
    float *const distance = job->distance != NULL ? job->distance + at : NULL;
    perturb_stats st = {0};
    if (!deep_classic(&job->formula)) {
        /* the other formulas: one pixel at a time (perturb_formula.c) */
        for (uint32_t j = 0; j < n; j++) {
            fec const dc = perturb_offset(job->step, job->view_width, job->view_height,
                                          job->rect_x + x + j, view_row);
            bool stopped;
            out[j] = perturb_formula_pixel(job, dc, &st, smooth ? smooth + j : NULL,
                                           job->doubt ? distance + j : NULL, w, &stopped);
            if (stopped) return false;
        }
    } else if (job->fe_view) {
        /* one pixel at a time: floatexp views */
        for (uint32_t j = 0; j < n; j++) {
            fec const dc = perturb_offset(job->step, job->view_width, job->view_height,
                                          job->rect_x + x + j, view_row);
            bool stopped;
            out[j] = perturb_pixel_full(job, dc, &st, smooth ? smooth + j : NULL,
                                        distance ? distance + j : NULL, w, &stopped);
            if (stopped) return false;
        }
    } else {
        segment sg = {job, row, x, n, 0, out, smooth, distance, &st, w, PERTURB_POLL_STEPS, false};
        segment_double(&sg);
        if (sg.stop) return false;
    }
    for (uint32_t j = 0; j < n; j++) st.iterations += out[j];
    st.pixels = n;
    if (!job->fe_view && deep_classic(&job->formula))
        st.steps = st.iterations - st.bla_iters;
    if (job->stats != NULL) stats_add(job->stats, &st);
    return true;
}

void perturb_segment(void *user, sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                     uint32_t *out)
{
    const perturb_job *const job = user;
    if (job->bla_inner == job->bla) {
        (void)segment_run(job, w, row, x, n, out);
        return;
    }
    /* A tile reaching beyond its anchor: the pixels inside the anchor's rectangle take the
     * anchor's table, the others the tile's, so that a pixel's table (and count) depends on
     * the pixel alone, never on the tile or segment it is rendered in. */
    int64_t const col = job->rect_x + x, view_row = job->rect_y + row;
    int64_t lo = 0, hi = 0; /* the inside run: lo..hi-1 of 0..n-1 */
    if (view_row >= 0 && view_row < job->view_height) {
        lo = -col < 0 ? 0 : -col > (int64_t)n ? (int64_t)n : -col;
        hi = (int64_t)job->view_width - col;
        hi = hi < lo ? lo : hi > (int64_t)n ? (int64_t)n : hi;
    }
    perturb_job outer = *job, inner = *job;
    outer.bla_inner = outer.bla;
    inner.bla = inner.bla_inner;
    if (lo > 0 && !segment_run(&outer, w, row, x, (uint32_t)lo, out)) return;
    if (hi > lo && !segment_run(&inner, w, row, x + (uint32_t)lo, (uint32_t)(hi - lo), out + lo))
        return;
    if ((int64_t)n > hi) (void)segment_run(&outer, w, row, x + (uint32_t)hi, n - (uint32_t)hi,
                                           out + hi);
}
