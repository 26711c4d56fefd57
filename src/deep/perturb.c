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
#include "deep/deep_int.h"

/* Floatexp deltas switch to double above 2^FE_TO_DOUBLE_EXP and back below
 * 2^DOUBLE_TO_FE_EXP: in between, dc (below 2^-884 in a floatexp view) is 2^-380 of dz and
 * double loses nothing. */
#define FE_TO_DOUBLE_EXP (-450)
#define DOUBLE_TO_FE_NORM 0x1p-1000 /* |dz|^2, i.e. |dz| < 2^-500 */

#define SQRT2_UP 1.4142135623730952 /* sqrt(2) rounded up: sqrt2 * max(|x|,|y|) >= |x+iy| */

fec perturb_offset(fe step, uint32_t width, uint32_t height, uint32_t col, uint32_t row)
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

static inline double max_abs(double x, double y)
{
    double const ax = fabs(x), ay = fabs(y);
    return ax > ay ? ax : ay;
}

/* The longest double block (2^BLA_MIN_LEVEL steps or more) valid at reference index m for
 * max(|Re dz|, |Im dz|) = a within `budget` iterations, or NULL; *steps gets its length. */
static inline const bla_dentry *dlookup(const bla_table *bla, uint32_t m, double a,
                                        uint32_t budget, uint32_t *steps)
{
    uint32_t const i = (m - 1) >> BLA_MIN_LEVEL;
    if (((m - 1) & ((UINT32_C(1) << BLA_MIN_LEVEL) - 1)) != 0 || i >= bla->n_starts ||
        budget < (UINT32_C(1) << BLA_MIN_LEVEL))
        return NULL;
    const bla_dentry *const e = bla->dent + bla_slot(bla, i);
    uint32_t top = bla_slots(bla, i);
    /* levels up to floor(log2(budget)) fit the budget */
    uint32_t const fit = 31 - (uint32_t)__builtin_clz(budget) - BLA_MIN_LEVEL + 1;
    if (fit < top) top = fit;
    if (!(a < e[0].r)) return NULL;
    uint32_t j = 1;
    while (j < top && a < e[j].r) j++;
    *steps = UINT32_C(1) << (j - 1 + BLA_MIN_LEVEL);
    return &e[j - 1];
}

/* The derivative dz/dc of a pixel, carried along when its distance is asked for
 * (perturb_pixel_full). The derivative of the full orbit z = Z_m + dz is that of dz (Z does
 * not depend on dc): der' = 2 z der + 1 for an exact step (z before the step), and
 * der' = A der + B across a BLA block (dz' = A dz + B dc). In views whose deltas fit double
 * it is held in double as D = der * step (pixel units: |D| is about |z| ln|z| / distance
 * in pixels, so it neither overflows nor underflows); in floatexp views (step below
 * 2^-900, where `step` itself underflows) as der in floatexp. */
typedef struct pixel_end {
    bool escaped;
    double zr, zi;  /* z at the escape */
    double dr, di;  /* D (double views) */
    fec der;        /* der (floatexp views) */
} pixel_end;

#define FEC_ONE ((fec){0.5, 0.0, 1})

/* One pixel; with `de`, the derivative too, and *end gets z (and the derivative) at the
 * escape. Inlined into its two callers, so the counts-only one carries none of it. */
static inline __attribute__((always_inline)) uint32_t
pixel_core(const perturb_job *job, fec dc, perturb_stats *st, bool de, pixel_end *end)
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

    for (;;) {
        if (!fe_mode) {
            while (n < max_iter) {
                const bla_dentry *e = NULL;
                uint32_t steps = 1;
                if (bla != NULL && bla->n_starts > 0)
                    e = dlookup(bla, m, max_abs(dzr, dzi), max_iter - n, &steps);
                if (e != NULL) {
                    if (de && !dfe) {
                        double const nr = (e->ar * Dr - e->ai * Di) + e->br * bs;
                        double const ni = (e->ar * Di + e->ai * Dr) + e->bi * bs;
                        Dr = nr;
                        Di = ni;
                    } else if (de) {
                        der = fec_add(fec_mul_d(der, e->ar, e->ai),
                                      fec_make(e->br, e->bi, -job->b_exp));
                    }
                    double const br = e->br * dsr - e->bi * dsi;
                    double const bi = e->br * dsi + e->bi * dsr;
                    double const nr = (e->ar * dzr - e->ai * dzi) + br;
                    double const ni = (e->ar * dzi + e->ai * dzr) + bi;
                    dzr = nr;
                    dzi = ni;
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
                    *end = (pixel_end){true, zr, zi, Dr, Di, der};
                    return n;
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
            if (!fe_mode) return max_iter;
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
                    *end = (pixel_end){true, zr, zi, Dr, Di, der};
                    return n;
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
            if (fe_mode) return max_iter;
        }
    }
}

uint32_t perturb_pixel(const perturb_job *job, fec dc, perturb_stats *st)
{
    pixel_end end;
    return pixel_core(job, dc, st, false, &end);
}

/* The smooth value of a pixel that escaped at n with z = zr + i zi: the double kernels'
 * own function (kernel_formula.c), on c rounded to double (after the escape the
 * continuation is in double there too), so colours match across the switch of engines. */
static inline float smooth_at(const perturb_job *job, double zr, double zi, double dcr,
                              double dci, uint32_t n)
{
    return smooth_after_escape(zr, zi, job->cre + dcr, job->cim + dci, n);
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

uint32_t perturb_pixel_full(const perturb_job *job, fec dc, perturb_stats *st, float *smooth,
                            float *distance)
{
    pixel_end end;
    uint32_t const n = pixel_core(job, dc, st, distance != NULL, &end);
    double dcr, dci;
    fec_to_d(dc, &dcr, &dci);
    if (smooth != NULL)
        *smooth = end.escaped ? smooth_at(job, end.zr, end.zi, dcr, dci, n)
                              : (float)job->max_iter;
    if (distance != NULL) *distance = end.escaped ? distance_at(job, &end, dcr, dci) : 0.0f;
    return n;
}

/* ------------------------------------------------------------------------------------- */
/* Views whose deltas fit double (step >= 2^-900): four pixels in flight.
 *
 * One pixel's exact steps form a chain of dependent adds and multiplies (4 operations of
 * 3-4 cycles a step); independent pixels fill each other's gaps, two to a vector register.
 * The loop below does exact steps of all four while each is "calm": not escaped, no rebase
 * due, below max_iter and the end of the orbit, and no BLA block from its reference index
 * that fits (rmin[m], the radius of the shortest double block from m or 0, makes that one
 * comparison). Anything else goes to settle(), which decides as perturb_pixel does: so a
 * pixel's count does not depend on which pixels share the loop with it, and equals
 * perturb_pixel's. */

typedef struct lane {
    double dzr, dzi;
    double dcr, dci;  /* dc */
    double dsr, dsi;  /* dc scaled for the table's b */
    uint32_t m, n;
    uint32_t j;       /* the pixel's place in the segment; LANE_DEAD: no pixel */
} lane;

#define LANE_DEAD UINT32_MAX

typedef struct segment {
    const perturb_job *job;
    uint32_t row, x, n, next;
    uint32_t *out;
    float *smooth;  /* the segment's smooth values, or NULL */
    perturb_stats *st;
} segment;

static lane lane_start(const segment *sg, uint32_t j)
{
    const perturb_job *const job = sg->job;
    fec const dc = perturb_offset(job->step, job->view_width, job->view_height,
                                  job->rect_x + sg->x + j, job->rect_y + sg->row);
    lane l = {.j = j};
    fec_to_d(dc, &l.dcr, &l.dci);
    l.dsr = fe_ldexp(dc.re, dc.e - job->b_exp);
    l.dsi = fe_ldexp(dc.im, dc.e - job->b_exp);
    return l;
}

/* Brings lane l to a calm state (see above) or to its end, after any number of steps:
 * the checks perturb_pixel makes after a step, then BLA blocks and exact steps until calm.
 * A finished pixel's count goes out and the lane takes the segment's next pixel. */
static lane settle(segment *sg, lane l)
{
    const perturb_job *const job = sg->job;
    const orbit_pt *const zo = job->orb->z;
    const bla_table *const bla = job->bla;
    uint32_t const len = job->orb->len, max_iter = job->max_iter;
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
            sg->out[l.j] = l.n;
            if (sg->smooth != NULL)
                sg->smooth[l.j] = escaped ? smooth_at(job, zr, zi, l.dcr, l.dci, l.n)
                                          : (float)max_iter;
            if (sg->next < sg->n)
                l = lane_start(sg, sg->next++);
            else
                l.j = LANE_DEAD;
            continue;
        }
        /* calm unless a block starts here and fits */
        const bla_dentry *e = NULL;
        uint32_t steps = 1;
        if (bla != NULL && bla->n_starts > 0)
            e = dlookup(bla, l.m, max_abs(l.dzr, l.dzi), max_iter - l.n, &steps);
        if (e != NULL) {
            double const br = e->br * l.dsr - e->bi * l.dsi;
            double const bi = e->br * l.dsi + e->bi * l.dsr;
            double const nr = (e->ar * l.dzr - e->ai * l.dzi) + br;
            double const ni = (e->ar * l.dzi + e->ai * l.dzr) + bi;
            l.dzr = nr;
            l.dzi = ni;
            sg->st->bla_skips++;
            sg->st->bla_iters += steps;
        } else if (bla == NULL || bla->rmin == NULL ||
                   max_iter - l.n < (UINT32_C(1) << BLA_MIN_LEVEL) ||
                   !(max_abs(l.dzr, l.dzi) < bla->rmin[l.m])) {
            return l; /* calm: the fast loop's exact step is the right one */
        } else {
            double const tr = 2.0 * zo[l.m].re + l.dzr, ti = 2.0 * zo[l.m].im + l.dzi;
            double const nr = (tr * l.dzr - ti * l.dzi) + l.dcr;
            double const ni = (tr * l.dzi + ti * l.dzr) + l.dci;
            l.dzr = nr;
            l.dzi = ni;
        }
        l.m += steps;
        l.n += steps;
    }
    return l;
}

/* Two doubles, one per lane (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64;
 * the arithmetic is the scalar code's, element by element, rounding included, and
 * -ffp-contract=off keeps it unfused). */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2i __attribute__((vector_size(16)));

/* Exact steps of two calm lanes together until one of them is no longer calm or reaches
 * the end of the reference orbit or max_iter; returns with both lanes' state updated. */
static void pair_steps(lane *a, lane *b, const orbit_pt *zo, const double *rmin, uint32_t len,
                       uint32_t max_iter)
{
    uint32_t const ma = a->m, mb = b->m;
    uint32_t k = len - ma;
    if (len - mb < k) k = len - mb;
    if (max_iter - a->n < k) k = max_iter - a->n;
    if (max_iter - b->n < k) k = max_iter - b->n;
    v2d dzr = {a->dzr, b->dzr}, dzi = {a->dzi, b->dzi};
    v2d const dcr = {a->dcr, b->dcr}, dci = {a->dci, b->dci};
    v2d zr = {zo[ma].re, zo[mb].re}, zi = {zo[ma].im, zo[mb].im};
    v2i const abs_mask = {INT64_MAX, INT64_MAX};
    v2d const four = {4.0, 4.0};
    uint32_t i = 0;
    for (;;) {
        v2d const tr = (zr + zr) + dzr, ti = (zi + zi) + dzi;
        v2d const nr = (tr * dzr - ti * dzi) + dcr;
        v2d const ni = (tr * dzi + ti * dzr) + dci;
        dzr = nr;
        dzi = ni;
        i++;
        zr = (v2d){zo[ma + i].re, zo[mb + i].re};
        zi = (v2d){zo[ma + i].im, zo[mb + i].im};
        v2d const xr = zr + dzr, xi = zi + dzi;
        v2d const z2 = xr * xr + xi * xi;
        v2d const r = {rmin[ma + i], rmin[mb + i]};
        v2d const ar = (v2d)((v2i)dzr & abs_mask), ai = (v2d)((v2i)dzi & abs_mask);
        v2i const ev = (z2 >= four) | (z2 < dzr * dzr + dzi * dzi) | ((ar < r) & (ai < r));
        if ((ev[0] | ev[1]) != 0 || i == k) break;
    }
    a->dzr = dzr[0];
    a->dzi = dzi[0];
    b->dzr = dzr[1];
    b->dzi = dzi[1];
    a->m = ma + i;
    b->m = mb + i;
    a->n += i;
    b->n += i;
}

/* Exact steps of four calm lanes (two pairs) together, as pair_steps; returns a bit for
 * each lane that is no longer calm (or at a limit). A lane without a pixel has m = 0 and
 * dz = NaN: NaN compares false, so it raises no event. */
static unsigned quad_steps(lane *l, const orbit_pt *zo, const double *rmin, uint32_t len,
                           uint32_t max_iter)
{
    unsigned done;
    uint32_t const ma = l[0].m, mb = l[1].m, mc = l[2].m, md = l[3].m;
    uint32_t k = UINT32_MAX;
    for (int q = 0; q < 4; q++) {
        if (len - l[q].m < k) k = len - l[q].m;
        if (max_iter - l[q].n < k) k = max_iter - l[q].n;
    }
    v2d dzr = {l[0].dzr, l[1].dzr}, dzi = {l[0].dzi, l[1].dzi};
    v2d dzr2 = {l[2].dzr, l[3].dzr}, dzi2 = {l[2].dzi, l[3].dzi};
    v2d const dcr = {l[0].dcr, l[1].dcr}, dci = {l[0].dci, l[1].dci};
    v2d const dcr2 = {l[2].dcr, l[3].dcr}, dci2 = {l[2].dci, l[3].dci};
    v2d zr = {zo[ma].re, zo[mb].re}, zi = {zo[ma].im, zo[mb].im};
    v2d zr2 = {zo[mc].re, zo[md].re}, zi2 = {zo[mc].im, zo[md].im};
    v2i const abs_mask = {INT64_MAX, INT64_MAX};
    v2d const four = {4.0, 4.0};
    uint32_t i = 0;
    for (;;) {
        v2d const tr = (zr + zr) + dzr, ti = (zi + zi) + dzi;
        v2d const tr2 = (zr2 + zr2) + dzr2, ti2 = (zi2 + zi2) + dzi2;
        v2d const nr = (tr * dzr - ti * dzi) + dcr;
        v2d const nr2 = (tr2 * dzr2 - ti2 * dzi2) + dcr2;
        v2d const ni = (tr * dzi + ti * dzr) + dci;
        v2d const ni2 = (tr2 * dzi2 + ti2 * dzr2) + dci2;
        dzr = nr;
        dzi = ni;
        dzr2 = nr2;
        dzi2 = ni2;
        i++;
        zr = (v2d){zo[ma + i].re, zo[mb + i].re};
        zi = (v2d){zo[ma + i].im, zo[mb + i].im};
        zr2 = (v2d){zo[mc + i].re, zo[md + i].re};
        zi2 = (v2d){zo[mc + i].im, zo[md + i].im};
        v2d const xr = zr + dzr, xi = zi + dzi;
        v2d const xr2 = zr2 + dzr2, xi2 = zi2 + dzi2;
        v2d const z2 = xr * xr + xi * xi;
        v2d const z22 = xr2 * xr2 + xi2 * xi2;
        v2d const r = {rmin[ma + i], rmin[mb + i]};
        v2d const r2 = {rmin[mc + i], rmin[md + i]};
        v2d const ar = (v2d)((v2i)dzr & abs_mask), ai = (v2d)((v2i)dzi & abs_mask);
        v2d const ar2 = (v2d)((v2i)dzr2 & abs_mask), ai2 = (v2d)((v2i)dzi2 & abs_mask);
        v2i const ev = (z2 >= four) | (z2 < dzr * dzr + dzi * dzi) | ((ar < r) & (ai < r));
        v2i const ev2 =
            (z22 >= four) | (z22 < dzr2 * dzr2 + dzi2 * dzi2) | ((ar2 < r2) & (ai2 < r2));
        v2i const e = ev | ev2;
        if ((e[0] | e[1]) != 0 || i == k) {
            done = (ev[0] != 0) | (ev[1] != 0) << 1 | (ev2[0] != 0) << 2 | (ev2[1] != 0) << 3;
            break;
        }
    }
    l[0].dzr = dzr[0];
    l[0].dzi = dzi[0];
    l[1].dzr = dzr[1];
    l[1].dzi = dzi[1];
    l[2].dzr = dzr2[0];
    l[2].dzi = dzi2[0];
    l[3].dzr = dzr2[1];
    l[3].dzi = dzi2[1];
    l[0].m = ma + i;
    l[1].m = mb + i;
    l[2].m = mc + i;
    l[3].m = md + i;
    for (int q = 0; q < 4; q++) {
        l[q].n += i;
        if (l[q].m == len || l[q].n >= max_iter) done |= 1u << q;
    }
    return done;
}

static void segment_double(segment *sg)
{
    const perturb_job *const job = sg->job;
    const orbit_pt *const zo = job->orb->z;
    uint32_t const len = job->orb->len, max_iter = job->max_iter;
    const double *const rmin = job->bla != NULL ? job->bla->rmin : NULL;
    if (rmin == NULL) {
        /* no double blocks (short orbits): one pixel at a time, through settle() */
        while (sg->next < sg->n) {
            lane l = settle(sg, lane_start(sg, sg->next++));
            while (l.j != LANE_DEAD) {
                double const tr = 2.0 * zo[l.m].re + l.dzr, ti = 2.0 * zo[l.m].im + l.dzi;
                double const nr = (tr * l.dzr - ti * l.dzi) + l.dcr;
                double const ni = (tr * l.dzi + ti * l.dzr) + l.dci;
                l.dzr = nr;
                l.dzi = ni;
                l.m++;
                l.n++;
                l = settle(sg, l);
            }
        }
        return;
    }
    lane l[4];
    for (int q = 0; q < 4; q++) {
        l[q] = (lane){.j = LANE_DEAD};
        if (sg->next < sg->n) l[q] = settle(sg, lane_start(sg, sg->next++));
    }
    for (;;) {
        uint32_t live = 0;
        for (int q = 0; q < 4; q++) {
            if (l[q].j == LANE_DEAD) { /* parked */
                l[q].m = 0;
                l[q].n = 0;
                l[q].dzr = l[q].dzi = NAN;
            } else {
                live++;
            }
        }
        if (live == 0) break;
        if (live <= 2) { /* the last two: a pair, no parked work */
            int const x = l[0].j != LANE_DEAD ? 0 : l[1].j != LANE_DEAD ? 1 : 2;
            int y = x + 1;
            while (y < 3 && l[y].j == LANE_DEAD) y++;
            lane a = l[x], b = l[y];
            while (a.j != LANE_DEAD || b.j != LANE_DEAD) {
                if (a.j == LANE_DEAD) {
                    a.m = 0;
                    a.n = 0;
                    a.dzr = a.dzi = NAN;
                }
                if (b.j == LANE_DEAD) {
                    b.m = 0;
                    b.n = 0;
                    b.dzr = b.dzi = NAN;
                }
                pair_steps(&a, &b, zo, rmin, len, max_iter);
                if (a.j != LANE_DEAD) a = settle(sg, a);
                if (b.j != LANE_DEAD) b = settle(sg, b);
            }
            break;
        }
        unsigned const done = quad_steps(l, zo, rmin, len, max_iter);
        for (int q = 0; q < 4; q++)
            if ((done >> q & 1) != 0 && l[q].j != LANE_DEAD) l[q] = settle(sg, l[q]);
    }
}

void perturb_segment(void *user, uint32_t row, uint32_t x, uint32_t n, uint32_t *out)
{
    const perturb_job *const job = user;
    uint32_t const view_row = job->rect_y + row;
    size_t const at = (size_t)row * job->stride + x;
    float *const smooth = job->smooth != NULL ? job->smooth + at : NULL;
    float *const distance = job->distance != NULL ? job->distance + at : NULL;
    perturb_stats st = {0};
    if (job->fe_view || distance != NULL) {
        /* one pixel at a time: floatexp views, and distances (the derivative) */
        for (uint32_t j = 0; j < n; j++) {
            fec const dc = perturb_offset(job->step, job->view_width, job->view_height,
                                          job->rect_x + x + j, view_row);
            if (smooth == NULL && distance == NULL)
                out[j] = perturb_pixel(job, dc, &st);
            else
                out[j] = perturb_pixel_full(job, dc, &st, smooth ? smooth + j : NULL,
                                            distance ? distance + j : NULL);
        }
    } else {
        segment sg = {job, row, x, n, 0, out, smooth, &st};
        segment_double(&sg);
    }
    for (uint32_t j = 0; j < n; j++) st.iterations += out[j];
    st.pixels = n;
    if (!job->fe_view && distance == NULL) st.steps = st.iterations - st.bla_iters;
    if (job->stats != NULL) stats_add(job->stats, &st);
}
