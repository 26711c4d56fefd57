/*
 * deep/deep_int.h - what the files of src/deep/ share among themselves: the reference
 * orbit, the BLA table, the per-render jobs. Outsiders include deep.h only.
 */
#ifndef MANDEL_DEEP_INT_H
#define MANDEL_DEEP_INT_H

#include <mpfr.h>
#include <pthread.h>

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

/* The reference orbit Z_0 = 0, Z_{n+1} = Z_n^2 + C, computed in MPFR and rounded. */
typedef struct orbit {
    uint32_t len;     /* L: Z_0 .. Z_L are stored; Z_L escaped or L = max_iter */
    double *zr, *zi;  /* L + 1 values each */
    fec *zfe;         /* the same as floatexp (for values below 1e-308), or NULL */
} orbit;

/* Computes the orbit of cre + i*cim at `prec` bits up to max_iter or the first |Z| >= 2.
 * `progress` (may be NULL) is called now and then with (0, total); non-zero cancels.
 * Returns MANDEL_OK, MANDEL_ENOMEM or MANDEL_ECANCELED. */
int orbit_compute(const mandel_allocator *alloc, mpfr_srcptr cre, mpfr_srcptr cim,
                  mpfr_prec_t prec, uint32_t max_iter, bool want_fe,
                  mandel_progress_fn progress, void *progress_user, uint64_t total,
                  orbit *out);

void orbit_free(const mandel_allocator *alloc, orbit *o);

/* ------------------------------------------------------------------------------------- */
/* bla.c */

/* One merged step: dz_{m+l} = a*dz_m + b*dc, valid while |dz_m| < r. */
typedef struct bla_entry {
    fec a, b;
    fe r;
} bla_entry;

#define BLA_MAX_LEVELS 32

/* Level j (1 <= j < levels) holds count[j] entries; entry k covers the 2^j steps from
 * reference index 1 + k*2^j. Single steps (level 0) are not stored: an exact step is no
 * dearer than applying one. */
typedef struct bla_table {
    uint32_t levels;
    uint32_t count[BLA_MAX_LEVELS];
    bla_entry *level[BLA_MAX_LEVELS];
    bla_entry *storage;
} bla_table;

/* Builds the table for orbit `o` and pixel offsets up to |dc| <= dc_max. Returns
 * MANDEL_OK, MANDEL_ENOMEM, or MANDEL_ETOOBIG if it would exceed BLA_MAX_BYTES (the
 * caller then renders without it). */
int bla_build(const mandel_allocator *alloc, const orbit *o, fe dc_max, bla_table *out);

void bla_free(const mandel_allocator *alloc, bla_table *t);

/* The largest stored step valid at reference index m (>= 1) for |dz| < dz_abs that takes
 * at most `budget` iterations, or NULL; *steps gets its length. */
static inline const bla_entry *bla_lookup(const bla_table *t, uint32_t m, fe dz_abs,
                                          uint32_t budget, uint32_t *steps)
{
    uint32_t const k0 = m - 1;
    uint32_t top = t->levels - 1;
    if (k0 != 0) {
        uint32_t const tz = (uint32_t)__builtin_ctz(k0);
        if (tz < top) top = tz;
    }
    for (uint32_t j = top; j >= 1; j--) {
        uint32_t const k = k0 >> j;
        if (k >= t->count[j] || (UINT32_C(1) << j) > budget) continue;
        const bla_entry *const e = &t->level[j][k];
        if (fe_lt(dz_abs, e->r)) {
            *steps = UINT32_C(1) << j;
            return e;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------- */
/* perturb.c */

typedef struct perturb_job {
    const orbit *orb;
    const bla_table *bla;  /* NULL: no skipping */
    fe step;               /* the pixel step */
    bool fe_view;          /* deltas start in floatexp */
    uint32_t view_width, view_height;
    uint32_t rect_x, rect_y;
    uint32_t max_iter;
} perturb_job;

/* The escape count of the pixel whose offset from the reference is dc. */
uint32_t perturb_pixel(const perturb_job *job, fec dc);

/* sched_segment_fn over a perturb_job. */
void perturb_segment(void *user, uint32_t row, uint32_t x, uint32_t n, uint32_t *out);

/* The offset of view pixel (col, row) from the centre: ((col - (w-1)/2), -(row - (h-1)/2))
 * times the step. */
fec perturb_offset(fe step, uint32_t width, uint32_t height, uint32_t col, uint32_t row);

/* ------------------------------------------------------------------------------------- */
/* mpfr_engine.c */

typedef struct mpfr_engine_job {
    mpfr_srcptr cre, cim, step;
    mpfr_prec_t prec;
    uint32_t view_width, view_height;
    uint32_t rect_x, rect_y;
    uint32_t max_iter;
} mpfr_engine_job;

/* sched_segment_fn over an mpfr_engine_job: every pixel iterated at full precision. */
void mpfr_engine_segment(void *user, uint32_t row, uint32_t x, uint32_t n, uint32_t *out);

/* ------------------------------------------------------------------------------------- */
/* deep.c */

struct deep_view {
    mandel_allocator alloc;  /* the creating ctx's: the cache outlives any one render */
    uint32_t width, height;
    mpfr_prec_t prec;
    mpfr_t re, im, step;     /* centre and pixel step at `prec` bits */
    fe step_fe, dc_max;      /* step; the largest pixel offset from the centre */
    bool fe_view;
    pthread_mutex_t lock;    /* one render of this view at a time: the cache is shared */
    bool cached;             /* orb (and bla if has_bla) hold max_iter = cache_iter */
    uint32_t cache_iter;
    orbit orb;
    bla_table bla;
    bool has_bla;
};

#endif /* MANDEL_DEEP_INT_H */
