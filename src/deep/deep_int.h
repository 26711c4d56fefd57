/*
 * deep/deep_int.h - what the files of src/deep/ share among themselves: the reference
 * orbit, the BLA table, the per-render jobs. Outsiders include deep.h only.
 */
#ifndef MANDEL_DEEP_INT_H
#define MANDEL_DEEP_INT_H

#include <mpfr.h>
#include <pthread.h>
#include <stdatomic.h>

#include "deep/deep.h"
#include "deep/floatexp.h"

/* Pixel steps below 2^-DEEP_FE_STEP_EXP need floatexp deltas: below it a delta could
 * shrink into double's subnormal range. */
#define DEEP_FE_STEP_EXP 900

/* ------------------------------------------------------------------------------------- */
/* floatexp.c */

/* x rounded to 53 bits, any exponent. */
fe floatexp_from_mpfr(mpfr_srcptr x);

/* re + i*im with a shared exponent (the smaller part keeps what the larger's 53 bits
 * resolve). */
fec floatexp_c_from_mpfr(mpfr_srcptr re, mpfr_srcptr im);

/* ------------------------------------------------------------------------------------- */
/* orbit.c */

/* The reference orbit Z_0 = 0, Z_{n+1} = Z_n^2 + C, computed in MPFR and rounded. Real and
 * imaginary parts side by side: a step reads both, from one cache line. */
typedef struct orbit_pt {
    double re, im;
} orbit_pt;

typedef struct orbit {
    uint32_t len;     /* L: Z_0 .. Z_L are stored; Z_L escaped or L = max_iter */
    orbit_pt *z;      /* L + 1 values */
    fec *zfe;         /* the same as floatexp (for values below 1e-308), or NULL */
    size_t bytes;     /* allocated for z and zfe */
} orbit;

/* The same formula for the deep engines: kind and power (Julia sets never come here). */
static inline bool deep_same_formula(const formula_params *a, const formula_params *b)
{
    return a->formula == b->formula && a->power == b->power;
}

/* True for z^2 + c, the formula the vector loops iterate; the others (z^d, the Burning
 * Ship, the Tricorn; never Julia sets here) go through perturb_formula.c. */
static inline bool deep_classic(const formula_params *f)
{
    return f->formula == FORMULA_MANDELBROT && f->power == 2;
}

/* One step z <- F(z) + c of formula f (kernel_formula.c's formulas) at the precision of x
 * and y, in place; t0..t2 are scratch at the same precision. */
void orbit_step_mpfr(const formula_params *f, mpfr_ptr x, mpfr_ptr y, mpfr_srcptr cre,
                     mpfr_srcptr cim, mpfr_ptr t0, mpfr_ptr t1, mpfr_ptr t2);

/* Computes the orbit of cre + i*cim under formula f at `prec` bits up to max_iter or the
 * first |Z| >= 2.
 * `progress` (may be NULL) is called about ten times a second with (iterations done,
 * max_iter); non-zero cancels, and so does *stop (may be NULL) becoming true, looked at
 * every 64 steps (mandel_ctx_cancel).
 * Returns MANDEL_OK, MANDEL_ENOMEM or MANDEL_ECANCELED. */
int orbit_compute(const mandel_allocator *alloc, const formula_params *f, mpfr_srcptr cre,
                  mpfr_srcptr cim, mpfr_prec_t prec, uint32_t max_iter, bool want_fe,
                  mandel_progress_fn progress, void *progress_user, const atomic_bool *stop,
                  orbit *out);

void orbit_free(const mandel_allocator *alloc, orbit *o);

/* The most bytes orbit_compute holds at once for max_iter (an orbit that never escapes:
 * the arrays, and the old ones beside the new while they grow). */
uint64_t orbit_peak_bytes(uint32_t max_iter, bool want_fe);

/* ------------------------------------------------------------------------------------- */
/* bla.c */

/* One merged step: dz_{m+l} = a*dz_m + b*dc, valid while |dz_m| < r. */
typedef struct bla_entry {
    fec a, b;
    fe r;
} bla_entry;

/* The same in double, for deltas held in double: b is scaled by 2^b_exp (the table's), so
 * that b*dc = b_scaled * (dc * 2^-b_exp) stays in range at any depth, and r is the radius
 * divided by sqrt(2), compared with max(|Re dz|, |Im dz|). An entry whose a or b does not fit
 * a double has r = 0 (never used). */
typedef struct bla_dentry {
    double ar, ai, br, bi, r;
} bla_dentry;

#define BLA_MAX_LEVELS 32

/* Level j (1 <= j < levels) holds count[j] blocks; block k covers the 2^j steps from
 * reference index 1 + k*2^j. Single steps (level 0) are not stored: an exact step is no
 * dearer than applying one. The radius of a block never exceeds that of its first half, so
 * a lookup climbs from the lowest level and stops at the first block that does not fit.
 *
 * In double, blocks shorter than 2^dmin steps are not used (dmin: the table's, chosen by
 * its user): a skip costs a lookup whose branches the CPU cannot predict and a cache miss
 * or two. One pixel at a time (floatexp views) that is about what 16 exact steps cost,
 * BLA_DMIN_SCALAR; in the vector loop of double views, where an exact step of a pixel costs
 * a few cycles, about 64 (BLA_DMIN_VECTOR; docs/deep-notes.md has the measurements). The
 * double entries are stored by start, so a climb reads adjacent entries: start
 * m = 1 + i*2^dmin has a slot for each level dmin + t, t = 0 .. min(ctz(i), J - 1) (all
 * J = levels - dmin levels for i = 0), at bla_slot(tab, i) + t. Slots are computed, not
 * looked up: one cache miss less for every skip. A slot whose block runs past the orbit has
 * r = 0. The floatexp entries (views whose deltas need them) are stored by level, all
 * levels: level[j][k]. */
#define BLA_DMIN_SCALAR 4
#define BLA_DMIN_VECTOR 6
#define BLA_DMIN_MAX 6

typedef struct bla_table {
    uint32_t levels;
    uint32_t dmin;                     /* the shortest double block: 2^dmin steps */
    uint32_t count[BLA_MAX_LEVELS];
    int64_t b_exp;                     /* bla_dentry.b is B * 2^b_exp */
    uint32_t n_starts;                 /* count[dmin]: double starts with a block */
    bla_dentry *dent;                  /* bla_slot(tab, n_starts) slots, or NULL */
    bla_entry *level[BLA_MAX_LEVELS];  /* only when built with want_fe */
    bla_entry *storage;                /* the floatexp levels (want_fe), or NULL */
    double *rmin;  /* rmin[m], m = 0..L: the radius of the shortest double block from m, or
                    * 0 (none); NULL when there is no double block at all */
} bla_table;

/* Bits set in x (no libgcc call on targets without a popcount instruction). */
static inline uint32_t bla_popcount(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}

/* The first slot of double start i: the slots of the starts before it, the sum over the
 * J levels t of ceil(i / 2^t) = J + 2(i-1) - popcount(i-1). */
static inline size_t bla_slot(const bla_table *tab, uint32_t i)
{
    if (i == 0) return 0;
    return (size_t)(tab->levels - tab->dmin) + 2 * (size_t)(i - 1) - bla_popcount(i - 1);
}

/* The number of slots of double start i. */
static inline uint32_t bla_slots(const bla_table *tab, uint32_t i)
{
    uint32_t const all = tab->levels - tab->dmin;
    if (i == 0) return all;
    uint32_t const n = (uint32_t)__builtin_ctz(i) + 1;
    return n < all ? n : all;
}

/* Builds the table for orbit `o` of z^power + c and pixel offsets up to |dc| <= dc_max,
 * in double (b scaled by 2^b_exp, blocks of 2^dmin steps and up, dmin in
 * 1 .. BLA_DMIN_MAX) and, if want_fe, also in floatexp. `poll` (may be NULL) is called
 * with `poll_user` every few thousand merges, and with how far the build has come (done of
 * total, about the orbit's steps merged), so a long build still sees a cancel: a non-zero
 * return stops it. Returns MANDEL_OK, MANDEL_ENOMEM, MANDEL_ECANCELED, or
 * MANDEL_ETOOBIG if it would exceed BLA_MAX_BYTES or max_bytes (the caller then renders
 * without it). */
int bla_build(const mandel_allocator *alloc, const orbit *o, uint32_t power, fe dc_max,
              int64_t b_exp, uint32_t dmin, bool want_fe, uint64_t max_bytes,
              int (*poll)(void *user, uint64_t done, uint64_t total), void *poll_user,
              bla_table *out);

void bla_free(const mandel_allocator *alloc, bla_table *t);

/* The highest level usable at reference index m = 1 + k0 (k0 even, or 0) within `budget`
 * iterations: blocks there start at multiples of their length. */
static inline uint32_t bla_top(const bla_table *t, uint32_t k0, uint32_t budget)
{
    uint32_t top = t->levels - 1;
    if (k0 != 0) {
        uint32_t const tz = (uint32_t)__builtin_ctz(k0);
        if (tz < top) top = tz;
    }
    uint32_t const bl = budget > 0 ? 31 - (uint32_t)__builtin_clz(budget) : 0;
    return bl < top ? bl : top;
}

/* The longest floatexp block valid at reference index m (odd) for |dz| < dz_abs that takes
 * at most `budget` iterations, or NULL; *steps gets its length. */
static inline const bla_entry *bla_lookup(const bla_table *t, uint32_t m, fe dz_abs,
                                          uint32_t budget, uint32_t *steps)
{
    uint32_t const k0 = m - 1;
    uint32_t const top = bla_top(t, k0, budget);
    const bla_entry *best = NULL;
    for (uint32_t j = 1; j <= top; j++) {
        uint32_t const k = k0 >> j;
        if (k >= t->count[j]) break;
        const bla_entry *const e = &t->level[j][k];
        if (!fe_lt(dz_abs, e->r)) break;
        best = e;
        *steps = UINT32_C(1) << j;
    }
    return best;
}

/* The longest double block (2^dmin steps or more) valid at reference index m for
 * max(|Re dz|, |Im dz|) = a within `budget` iterations, or NULL; *steps gets its length. */
static inline const bla_dentry *bla_dlookup(const bla_table *bla, uint32_t m, double a,
                                            uint32_t budget, uint32_t *steps)
{
    uint32_t const dmin = bla->dmin, i = (m - 1) >> dmin;
    if (((m - 1) & ((UINT32_C(1) << dmin) - 1)) != 0 || i >= bla->n_starts ||
        budget < (UINT32_C(1) << dmin))
        return NULL;
    const bla_dentry *const e = bla->dent + bla_slot(bla, i);
    uint32_t top = bla_slots(bla, i);
    /* levels up to floor(log2(budget)) fit the budget */
    uint32_t const fit = 31 - (uint32_t)__builtin_clz(budget) - dmin + 1;
    if (fit < top) top = fit;
    if (!(a < e[0].r)) return NULL;
    uint32_t j = 1;
    while (j < top && a < e[j].r) j++;
    *steps = UINT32_C(1) << (j - 1 + dmin);
    return &e[j - 1];
}

/* ------------------------------------------------------------------------------------- */
/* perturb.c */

/* Steps between polls of a cancel (sched_poll), counted over all lanes: tens of
 * microseconds of work, so a poll costs nothing measurable and a cancel waits for none. */
#define PERTURB_POLL_STEPS 65536

/* What a render's pixel pass did, summed over pixels: for mandel_stats. */
typedef struct perturb_stats {
    uint64_t pixels, iterations;
    uint64_t bla_skips, bla_iters;  /* BLA blocks applied, and the iterations they cover */
    uint64_t steps, fe_steps;       /* exact steps in double, in floatexp */
    uint64_t rebases;
} perturb_stats;

/* The pixel loop of views whose deltas fit double, one build per ISA (perturb_lanes.h). */
typedef struct segment segment;
typedef void perturb_lanes_fn(segment *sg);

/* The loop for MANDEL_OPT_ISA `isa`, among those this library has and this CPU runs:
 * AVX512 the AVX-512 loop, AUTO and AVX2 the AVX2 loop (measured as fast as AVX-512's),
 * any other (and any unavailable) the base loop: two doubles a vector (SSE2, NEON, or what
 * the compiler makes of it). Every one gives the same results. */
perturb_lanes_fn *perturb_lanes_select(mandel_isa isa);

/* "avx512", "avx2" or "base" (for tests and messages). */
const char *perturb_lanes_name(perturb_lanes_fn *fn);

/* The derivative dz/dc of a pixel, carried along when its distance is asked for
 * (perturb_pixel_full). The derivative of the full orbit z = Z_m + dz is that of dz (Z does
 * not depend on dc): der' = 2 z der + 1 for an exact step (z before the step), and
 * der' = A der + B across a BLA block (dz' = A dz + B dc). In views whose deltas fit double
 * it is held in double as D = der * step (pixel units: |D| is about |z| ln|z| / distance
 * in pixels, so it neither overflows nor underflows); in floatexp views (step below
 * 2^-900, where `step` itself underflows) as der in floatexp. At the end of a pixel: z and
 * the derivative at the escape, or the derivative at max_iter. */
typedef struct pixel_end {
    bool escaped;
    bool stopped;   /* cancelled (sched_poll): the count means nothing */
    double zr, zi;  /* z at the escape */
    double dr, di;  /* D (double views) */
    fec der;        /* der (floatexp views) */
    double doubt;   /* exact.c, formulas other than z^2 + c: perturb_jacobian_doubt */
} pixel_end;

typedef struct perturb_job {
    const orbit *orb;
    const bla_table *bla;  /* NULL: no skipping */
    const bla_table *bla_inner; /* for pixels inside the anchor's rectangle (0 <= col <
                                 * view_width, 0 <= row < view_height): the anchor's own
                                 * table, so they equal the anchor's; = bla when the same */
    fe step;               /* the pixel step */
    int64_t b_exp;         /* bla->b_exp, or the step's exponent without a table */
    bool fe_view;          /* deltas start in floatexp */
    uint32_t view_width, view_height;
    int64_t rect_x, rect_y; /* in the anchor's pixels: a tile's may be outside, or negative */
    uint32_t max_iter;
    perturb_stats *stats;  /* NULL: not counted */
    double cre, cim;       /* the centre rounded to double: c after the escape */
    float *smooth;         /* at the rect's origin, or NULL: smooth values */
    float *distance;       /* at the rect's origin, or NULL: distances in pixels */
    size_t stride;         /* of smooth and distance */
    perturb_lanes_fn *lanes; /* perturb_lanes_select(MANDEL_OPT_ISA) */
    formula_params formula;  /* what the orbit iterates (never a Julia set) */
    bool doubt;            /* MANDEL_OPT_EXACT's first pass: interior pixels' distances are
                            * -interior_doubt (negative), not 0 */
} perturb_job;

/* The smooth value of a pixel that ended as *end after n iterations (max_iter inside). */
float perturb_end_smooth(const perturb_job *job, const pixel_end *end, int64_t col, int64_t row,
                         uint32_t n);

/* The distance estimate in pixels of view pixel (col, row) that ended as *end, or for one
 * that never escaped 1 / |dz/dc| in pixels (exact.c's doubt). */
double perturb_doubt_distance(const perturb_job *job, const pixel_end *end, int64_t col,
                              int64_t row);

/* The escape count of the pixel whose offset from the reference is dc; adds what it did to
 * *st. */
uint32_t perturb_pixel(const perturb_job *job, fec dc, perturb_stats *st);

/* perturb_pixel, and at the escape the smooth value (*smooth, if not NULL: kernel_formula's
 * definition) and the distance estimate in pixels (*distance, if not NULL: the derivative
 * is then carried along, through BLA blocks too); max_iter and 0 for interior pixels.
 * Polls w (sched_poll) every PERTURB_POLL_STEPS iterations; *stopped tells whether a
 * cancel cut it short (nothing is then written). */
uint32_t perturb_pixel_full(const perturb_job *job, fec dc, perturb_stats *st, float *smooth,
                            float *distance, sched_worker *w, bool *stopped);

/* perturb_pixel_full for the formulas other than z^2 + c (perturb_formula.c): the
 * Burning Ship, the Tricorn and z^d, d > 2, each with its own perturbed step, rebasing,
 * and BLA where it applies (z^d: job->bla). No distances. */
uint32_t perturb_formula_pixel(const perturb_job *job, fec dc, perturb_stats *st,
                               float *smooth, float *doubt, sched_worker *w, bool *stopped);

/* MANDEL_OPT_EXACT's doubt for these formulas: with `doubt` not NULL, perturb_formula_pixel
 * carries the Jacobian J = dz/dc * step (a real 2x2 matrix, row-major) and writes its
 * "distance" |z| ln|z| / |J| at the escape (pixels), or -1 / |J| for a pixel that never
 * escaped. perturb_jacobian_step is J' = M(x + iy) J + step I for one exact step of f. */
void perturb_jacobian_step(const formula_params *f, double x, double y, double step,
                           double j[4]);
double perturb_jacobian_doubt(const double j[4], bool escaped, double zr, double zi);

/* sched_segment_fn over a perturb_job. */
void perturb_segment(void *user, sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                     uint32_t *out);

/* The offset of view pixel (col, row) from the centre: ((col - (w-1)/2), -(row - (h-1)/2))
 * times the step. */
fec perturb_offset(fe step, uint32_t width, uint32_t height, int64_t col, int64_t row);

/* ------------------------------------------------------------------------------------- */
/* mpfr_engine.c */

typedef struct mpfr_engine_job {
    mpfr_srcptr cre, cim, step;
    mpfr_prec_t prec;
    uint32_t view_width, view_height;
    int64_t rect_x, rect_y; /* in the anchor's pixels (perturb_job) */
    uint32_t max_iter;
    float *smooth;    /* at the rect's origin, or NULL */
    float *distance;  /* at the rect's origin, or NULL: in pixels */
    size_t stride;    /* of smooth and distance */
    formula_params formula; /* what it iterates (never a Julia set) */
} mpfr_engine_job;

/* sched_segment_fn over an mpfr_engine_job: every pixel iterated at full precision; the
 * continuation after the escape too, and the derivative (for distances) at 64 bits. */
void mpfr_engine_segment(void *user, sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                         uint32_t *out);

/* The bytes one thread of the engine allocates (MPFR significands) at `prec` bits. */
size_t mpfr_engine_scratch_bytes(mpfr_prec_t prec);

/* ------------------------------------------------------------------------------------- */
/* deep.c */

/* BLA tables a prepared limit may hold: class 0 for pixel offsets up to the anchor's own
 * corner, class k >= 1 up to max(own, 1) * 2^k steps (tiles reach at most 2^32 steps). */
#define DEEP_BLA_CLASSES 40

enum { DEEP_PREP_NONE, DEEP_PREP_BUSY, DEEP_PREP_READY };

/* One BLA table of a prepared limit. */
typedef struct deep_bla {
    int state;               /* DEEP_PREP_*, under the shared lock */
    bool has;                /* READY with a table (else too big: render without) */
    bla_table t;
} deep_bla;

/* The reference orbit and BLA tables of one iteration limit: written once, by the render
 * that set its state BUSY, then only read, by any number of renders at once. */
typedef struct deep_prep {
    uint32_t max_iter;
    formula_params formula;  /* ... and formula (its kind and power: deep_same_formula) */
    uint32_t users;          /* renders holding it (under the shared lock) */
    int orbit_state;         /* DEEP_PREP_* */
    orbit orb;
    deep_bla bla[DEEP_BLA_CLASSES];
    struct exact_prep *exact; /* MANDEL_OPT_EXACT's (exact.c), made by the first exact render
                               * that needs it, under the shared lock; or NULL */
    struct deep_prep *next;  /* most recently used first */
} deep_prep;

/* What every tile of one anchor shares, by reference count: the full-precision centre and
 * step, and the prepared limits. Freed with the last view that holds it. */
typedef struct deep_shared {
    mandel_allocator alloc;  /* the anchor's ctx's: everything here comes from it */
    uint32_t refs;           /* views holding it, under `lock` */
    uint32_t width, height;  /* the anchor's: pixel offsets are from its centre */
    mpfr_prec_t prec;
    mpfr_t re, im, step;     /* centre and pixel step at `prec` bits */
    fe step_fe;
    double own;              /* the anchor's largest pixel offset from its centre, in steps */
    bool fe_view;
    pthread_mutex_t lock;    /* refs, preps, the states, the progress below */
    pthread_cond_t changed;  /* a state left BUSY */
    deep_prep *preps;
    /* The preparation under way (for waiters' reports and deep_view_progress). */
    uint32_t busy_iter;
    mandel_phase busy_phase;
    uint64_t busy_done, busy_total;
} deep_shared;

struct deep_view {
    deep_shared *sh;
    mandel_allocator alloc;  /* this struct's */
    int64_t col0, row0;      /* a tile's pixel (0, 0) is the anchor's (col0, row0) */
    uint32_t bla_class;      /* the table of its pixels beyond the anchor's rectangle */
    bool inner;              /* some of its pixels are inside it (they use class 0) */
};

/* ------------------------------------------------------------------------------------- */
/* exact.c */

/* The layout of exact.c's and exact_fe.c's tables for an orbit of len steps: levels
 * min_level .. *levels - 1, count[j] blocks of 2^j steps from index 1 + k 2^j (k <
 * count[j]), each landing at most at len. Returns the blocks in all. */
size_t exact_bla_layout(uint32_t len, uint32_t min_level, uint32_t count[BLA_MAX_LEVELS],
                        uint32_t *levels);

/* The double-double BLA table of exact.c. */
typedef struct exact_bla exact_bla;

/* The reference orbit of exact.c: Z_0 .. Z_len in double-double (Z_m = hi[m] + lo[m]),
 * computed at the MPFR engine's precision. */
typedef struct ddc ddc; /* exact_fe.c: a double-double complex with an exponent */

typedef struct exact_ref {
    uint32_t len;
    orbit_pt *hi, *lo;
    ddc *zc;     /* views whose deltas need floatexp: the same values with an exponent
                  * (hi and lo underflow where |Z| is below 1e-308), else NULL */
} exact_ref;

/* The MPFR engine, and the exact pass's reference orbit, iterate with this many bits more
 * than the view's precision (64 below the pixel): its own rounding, and that of a
 * reference orbit at the view's precision, would otherwise decide the counts of pixels
 * within about 2^-60 of a pixel from the set (the errors of a step k are a shift of c by
 * about 2^-64 / k pixel). The centre and the step stay the view's: the same sample points. */
#define DEEP_EXACT_EXTRA_BITS 64

/* The pixels MANDEL_OPT_EXACT computes again (exact.c): a sched job over the list `todo`
 * of doubtful pixels (indices y * width + x into the rect). */
typedef struct exact_job {
    const perturb_job *pj;       /* the first pass's job: view, step, max_iter */
    const mpfr_engine_job *mj;   /* the MPFR engine for the view, for the last resort */
    exact_ref ref;               /* the reference orbit in double-double */
    const exact_bla *bla;        /* NULL: every step exact */
    const struct exact_fe_bla *fe_bla; /* floatexp views: their table (exact_fe.c), or NULL */
    double step_hi, step_lo;     /* the pixel step in double-double, times 2^-step_e */
    int64_t step_e;              /* 0, except in floatexp views */
    uint32_t max_iter;
    const uint32_t *todo;
    uint32_t width;              /* of the rect */
    uint32_t *counts;            /* the rect's fields (smooth, distance may be NULL) */
    float *smooth, *distance;
    size_t stride;
    uint64_t changed;            /* counts that differ from the first pass's (atomic) */
    uint64_t mpfr_pixels;        /* pixels the MPFR engine computed (atomic) */
} exact_job;


/* exact_fe.c: the views whose deltas need floatexp (pixels below 2^-900), z^2 + c. */
typedef struct exact_fe_bla exact_fe_bla;

/* Z_n as a ddc, from x + i y (MPFR); t is scratch at their precision. */
void exact_ddc_from_mpfr(mpfr_srcptr x, mpfr_srcptr y, mpfr_ptr t, ddc *out);

/* Bytes of one ddc. */
size_t exact_ddc_size(void);

/* The table of exact.c's double-double BLA with exponents, for |dc| <= dc_max. */
int exact_fe_bla_build(const mandel_allocator *a, const exact_ref *r, fe dc_max,
                       exact_fe_bla **out);
void exact_fe_bla_free(const mandel_allocator *a, exact_fe_bla *t);

/* One pixel (ox, oy) steps from the centre of a floatexp view in double-double with
 * exponents: its count; *end as exact.c's pixels (the derivative in end->der). */
uint32_t exact_fe_pixel(const exact_job *ej, double ox, double oy, pixel_end *end,
                        sched_worker *w);

/* Builds the double-double BLA table of reference r for pixel offsets up to
 * |dc| <= dc_max. MANDEL_OK or MANDEL_ENOMEM. */
int exact_bla_build(const mandel_allocator *a, const exact_ref *r, double dc_max,
                    exact_bla **out);

void exact_bla_free(const mandel_allocator *a, exact_bla *t);




/* MANDEL_OPT_EXACT, after deep_render's first pass (which carried every pixel's
 * derivative: `distance` holds the distances, negative -1/|dz/dc| for pixels that never
 * escaped): the doubtful pixels of the rect computed again; their counts, smooth values and
 * distances replace the first pass's, and *stats gets the exact_* fields. What it prepares
 * (a double-double orbit, its BLA table) stays with prep (the view's reference orbit for
 * this limit), for the next bands and renders. The pass reports
 * MANDEL_PHASE_EXACT. MANDEL_OK, MANDEL_ENOMEM, MANDEL_ECANCELED (with a message on ctx). */
int exact_pass(mandel_ctx *ctx, sched_pool *pool, uint32_t threads, deep_shared *sh,
               deep_prep *prep, const perturb_job *pj, const mpfr_engine_job *mj,
               mandel_rect rect, uint32_t *counts, float *smooth, float *distance,
               size_t stride, mandel_stats *stats);

typedef struct exact_prep exact_prep;

/* Frees what exact_pass prepared (deep_prep.exact); NULL is a no-op. */
void exact_prep_free(const mandel_allocator *a, exact_prep *ep);

#endif /* MANDEL_DEEP_INT_H */
