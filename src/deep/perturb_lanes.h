/*
 * deep/perturb_lanes.h - what perturb.c shares with its vector loops, one translation unit
 * per instruction set (perturb.c: two doubles a vector, any target; perturb_avx2.c: four;
 * perturb_avx512.c: eight), each built from the templates perturb_loop.h and
 * perturb_steps.h with its own compiler flags, as src/kernel/ does.
 *
 * Invariant: the vector loops only do exact steps of "calm" pixels, and every pixel's step
 * is the same operations in the same order, rounded the same way, whatever the vector
 * width (no FMA: -ffp-contract=off, and no -mfma on any file). Every decision (escape,
 * rebase, limit, BLA skip) is settle()'s, compiled once in perturb.c. So a pixel's count,
 * smooth value and distance do not depend on the ISA or on its neighbours in the loop.
 */
#ifndef MANDEL_PERTURB_LANES_H
#define MANDEL_PERTURB_LANES_H

#include "deep/deep_int.h"

/* One pixel in flight. */
typedef struct lane {
    double dzr, dzi;
    double dcr, dci;  /* dc */
    double dsr, dsi;  /* dc scaled for the table's b */
    double Dr, Di;    /* dz/dc in pixels (segment.distance only) */
    uint32_t m, n;
    uint32_t j;       /* the pixel's place in the segment; LANE_DEAD: no pixel */
} lane;

#define LANE_DEAD UINT32_MAX

/* The pixels of one segment (a run of a row) and where their results go. */
struct segment {
    const perturb_job *job;
    uint32_t row, x, n, next;
    uint32_t *out;
    float *smooth;  /* the segment's smooth values, or NULL */
    float *distance; /* the segment's distances, or NULL: then no derivative is carried */
    perturb_stats *st;
    sched_worker *w;  /* polled every PERTURB_POLL_STEPS steps */
    int64_t budget;   /* steps left before the next poll */
    bool stop;        /* cancelled: the segment ends unfinished */
};

/* Polls for a cancel (the step budget is spent) and renews the budget; on a cancel the
 * segment takes no more pixels. Returns sg->stop. */
bool segment_poll(segment *sg);

/* Lane for pixel j of the segment, at n = 0 (not yet settled). */
lane lane_start(const segment *sg, uint32_t j);

/* Brings lane l to a calm state or to its end, after any number of steps (perturb.c); a
 * finished pixel's results go out and the lane takes the segment's next pixel, or gets
 * j = LANE_DEAD when there is none. */
lane settle(segment *sg, lane l);

/* max(|x|, |y|): what a double block's radius is compared with. */
static inline double max_abs(double x, double y)
{
    double const ax = fabs(x), ay = fabs(y);
    return ax > ay ? ax : ay;
}

/* dz <- A dz + B dc for double block e, with ds = dc scaled by 2^-b_exp: the one formula of
 * settle() and of the loops' skips, so that a pixel's delta is the same bits wherever its
 * block is applied. */
static inline __attribute__((always_inline)) void bla_dapply(const bla_dentry *e, double dsr,
                                                             double dsi, double *dzr,
                                                             double *dzi)
{
    double const br = e->br * dsr - e->bi * dsi;
    double const bi = e->br * dsi + e->bi * dsr;
    double const nr = (e->ar * *dzr - e->ai * *dzi) + br;
    double const ni = (e->ar * *dzi + e->ai * *dzr) + bi;
    *dzr = nr;
    *dzi = ni;
}

/* D <- A D + B step for double block e (bs: the step scaled by 2^-b_exp): the derivative's
 * skip, perturb_pixel's and the loops'. */
static inline __attribute__((always_inline)) void bla_dapply_d(const bla_dentry *e, double bs,
                                                               double *Dr, double *Di)
{
    double const nr = (e->ar * *Dr - e->ai * *Di) + e->br * bs;
    double const ni = (e->ar * *Di + e->ai * *Dr) + e->bi * bs;
    *Dr = nr;
    *Di = ni;
}

/* The most pixels any loop keeps in flight. */
#define LANES_MAX 16

/* The lanes' state as the vector loops see it: structure of arrays, so a vector of lanes
 * is one load. Lanes [0, live) hold pixels; the others have dz = NaN and m = n = 0 (NaN
 * compares false: they raise no event). */
typedef struct lanes {
    double dzr[LANES_MAX] __attribute__((aligned(64)));
    double dzi[LANES_MAX] __attribute__((aligned(64)));
    double dcr[LANES_MAX] __attribute__((aligned(64)));
    double dci[LANES_MAX] __attribute__((aligned(64)));
    double Dr[LANES_MAX] __attribute__((aligned(64))); /* the derivative (distances) */
    double Di[LANES_MAX] __attribute__((aligned(64)));
    uint32_t m[LANES_MAX], n[LANES_MAX];
    lane l[LANES_MAX];  /* the rest of each lane (dc scaled, j) */
} lanes;

/* What a call of a vector loop (perturb_steps.h) reads and what it did. */
typedef struct steps_ctx {
    const orbit_pt *zo;     /* the reference orbit */
    const bla_table *bla;   /* the view's table: its double blocks and rmin */
    uint32_t len, max_iter; /* the orbit's length, the iteration limit */
    uint32_t live;          /* lanes [0, live) hold pixels */
    double sd, bs;          /* with the derivative: the step, and B's 2^-b_exp step */
    uint32_t steps;         /* out: exact steps each live lane did */
    uint64_t skips, skipped; /* out: blocks applied in the loop, and the iterations they cover */
} steps_ctx;

/* Vectors of 2, 4, 8 doubles (GCC/Clang vector extensions); u: loads from 8-byte
 * alignment. Only the files built for an ISA use its widths. */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2i __attribute__((vector_size(16)));
typedef double v2du __attribute__((vector_size(16), aligned(8)));
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4i __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
typedef int64_t v8i __attribute__((vector_size(64)));

/* The vector loops (perturb_loop.h): the segment's pixels, lanes in flight. */
void perturb_lanes_base(segment *sg);   /* perturb.c: 2 x 2 lanes */
void perturb_lanes_avx2(segment *sg);   /* perturb_avx2.c */
void perturb_lanes_avx512(segment *sg); /* perturb_avx512.c */

#endif /* MANDEL_PERTURB_LANES_H */
