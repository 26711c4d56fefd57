/*
 * kernel/kernel.h - the escape-time kernels, as the rest of the library sees them.
 *
 * A kernel computes the escape counts of one row segment: pixels with c = re[j] + im*i,
 * j = 0..n-1, and, when asked, their smooth values. Every kernel gives the same count for
 * every pixel as kernel_scalar, the specification, and the same smooth value (the same
 * float) as kernel_formula; the tests hold each built variant to that. Each kernel also has
 * an entry for the burning ship, the tricorn and the Julia sets of z^2 + c and of those
 * (kernel_var_fn, kernel_variant), held to kernel_formula's counts and smooth values.
 *
 * Cancelling: a pixel may run 2^32 steps (minutes), so every kernel but the block machine
 * (limits <= 256) polls the thread pool (row->poll) every KERNEL_POLL_STEPS steps of a pixel
 * or of its lanes, outside its hot loop, and returns at once when the render is cancelled:
 * the segment's results are then unfinished, and the pool hands them to nobody (sched.c).
 */
#ifndef MANDEL_KERNEL_H
#define MANDEL_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "mandel.h"

typedef struct kernel_row {
    const double *re;  /* n real parts */
    double im;         /* the imaginary part shared by the row */
    uint32_t n;        /* pixels in the segment */
    uint32_t max_iter; /* iteration limit, >= 1 */
    bool shortcuts;    /* skip provably interior points (cardioid, bulb, cycles) */
    /* n smooth values to write as well, or NULL for counts only (the hot loops are then
     * those of a counts-only kernel). Each is kernel_formula's for the classic set:
     * smooth_after_escape() at the escape, (float)max_iter where there is none. */
    float *smooth;
    /* The pool's thread running the segment, asked (sched_poll) every KERNEL_POLL_STEPS steps;
     * NULL: never cancelled (a last field, so that positional initialisers leave it NULL). */
    struct sched_worker *poll;
} kernel_row;

/* Steps of a pixel (of the lanes, in the vector kernels) between two polls of row->poll:
 * about 0.1 ms of the fastest kernel's work, a few ms of the slowest. */
#define KERNEL_POLL_STEPS 65536u

/* sched.h's: true when the render is cancelled (NULL: never); on the calling thread it also
 * gives the progress callback its report when one is due. */
struct sched_worker;
bool sched_poll(struct sched_worker *w);

/* The map a vector kernel iterates besides the classic set (kernel_formula's, the same
 * doubles in the same order): variant KERNEL_CLASSIC z^2 + c, KERNEL_BURNING_SHIP
 * (|Re z| + i|Im z|)^2 + c, KERNEL_TRICORN conj(z)^2 + c. With `julia`, z_0 = the pixel
 * and c = julia_re + julia_im*i; else z_0 = 0 and c = the pixel. All zero is the classic
 * set. The cardioid/bulb shortcut is the classic set's only; cycle detection applies to
 * all. (Not fields of kernel_row, whose positional initialisers elsewhere would miss them.) */
typedef struct kernel_variant {
    uint8_t variant;
    bool julia;
    double julia_re, julia_im;
} kernel_variant;

enum {
    KERNEL_CLASSIC = 0,
    KERNEL_BURNING_SHIP = 1,
    KERNEL_TRICORN = 2,
};

/* True for the classic Mandelbrot set (z_0 = 0, z^2 + c). */
static inline bool kernel_variant_classic(const kernel_variant *v)
{
    return v->variant == KERNEL_CLASSIC && !v->julia;
}

typedef void kernel_fn(const kernel_row *row, uint32_t *counts);

/* The plain C kernel: the specification every other kernel is tested against. */
kernel_fn kernel_scalar;

/* The vector kernels, each built only where its compiler flags are available. */
kernel_fn kernel_generic;
kernel_fn kernel_sse2;
kernel_fn kernel_avx2;
kernel_fn kernel_avx512;

/* The same kernels for any variant: counts for every one, and row->smooth (kernel_formula's
 * values) too, which for the burning ship and the tricorn come from kernel_formula. */
typedef void kernel_var_fn(const kernel_row *row, const kernel_variant *v, uint32_t *counts);
kernel_var_fn kernel_scalar_var; /* kernel_scalar, or kernel_formula for the others */
kernel_var_fn kernel_generic_var;
kernel_var_fn kernel_sse2_var;
kernel_var_fn kernel_avx2_var;
kernel_var_fn kernel_avx512_var;

/* The variant entry of the ISA whose kernel_fn is `fn` (from kernel_select); NULL if none. */
kernel_var_fn *kernel_var_of(kernel_fn *fn);

/* The formulas of kernel_formula. */
typedef enum {
    FORMULA_MANDELBROT = 0,   /* z^power + c */
    FORMULA_BURNING_SHIP = 1, /* (|Re z| + i|Im z|)^2 + c */
    FORMULA_TRICORN = 2,      /* conj(z)^2 + c */
} formula_kind;

typedef struct formula_params {
    formula_kind formula;
    uint32_t power;            /* >= 2; used by FORMULA_MANDELBROT */
    bool julia;                /* z_0 = the pixel, c = julia_re + i julia_im */
    double julia_re, julia_im;
} formula_params;

/* Where kernel_formula writes; any pointer may be NULL. */
typedef struct formula_out {
    uint32_t *counts;
    float *smooth;    /* continuous iteration count; the limit for interior points */
    float *distance;  /* exterior distance estimate in plane units; 0 inside */
} formula_out;

/* The general engine: every formula, Julia sets, smooth and distance outputs, in plain C.
 * For the classic Mandelbrot set its counts equal kernel_scalar's. */
void kernel_formula(const kernel_row *row, const formula_params *f, formula_out out);

/* A row of any variant through kernel_formula: its counts and, if row->smooth, smooth
 * values. The kernels' path for what they do not iterate. */
void kernel_row_formula(const kernel_row *row, const kernel_variant *v, uint32_t *counts);

/* The smooth value of a pixel c = cr + ci*i of the classic set (z^2 + c) whose z_n = x + y*i
 * is the first iterate to pass the escape test (x*x + y*y >= 4): kernel_formula's
 * continuation, shared so that a kernel that stops at the escape gives the same float.
 * Plain C with libm; kernel files call it (it is not compiled with their flags). */
float smooth_after_escape(double x, double y, double cr, double ci, uint32_t n);

/* The same for any formula f (not a Julia set): kernel_formula's continuation of a pixel c
 * whose z_n = x + y*i first passed the escape test, and its smooth value. For the deep
 * engines, which hand over z at the escape. */
float smooth_after_escape_formula(const formula_params *f, double x, double y, double cr,
                                  double ci, uint32_t n);

/* The smooth value mu = m + 1 - log(log|z_m|) / log(d) of a pixel whose continuation ended
 * at z_m, given log|z_m|, for z^d + c: the one definition every engine uses. */
float smooth_value(uint32_t m, double log_r, double d);

/* The continuation goes on until |z|^2 > SMOOTH_RADIUS2, SMOOTH_EXTRA steps at most. */
#define SMOOTH_RADIUS2 (1024.0 * 1024.0)
#define SMOOTH_EXTRA 64

/* True when c lies inside the main cardioid or the period-2 bulb, with a margin that keeps
 * rounding from admitting a point outside (docs/algorithms.md, "Interior shortcuts"). */
bool interior_known(double cr, double ci);

/* interior_known()'s margin. The test polynomials are O(1) near the boundaries; their
 * rounding error is below 1e-15. Shared with the vector form of the test in
 * kernel/kernel_lanes_registers.h (interior_mask), which must give exactly the same answers. */
#define INTERIOR_MARGIN 1e-12

/* A render by the double-precision engines, row segment by row segment (kernel_segment). */
typedef struct kernel_job {
    kernel_fn *kernel;             /* a vector or scalar kernel; NULL: kernel_formula */
    const formula_params *formula; /* with a kernel: the variant it iterates (Julia, burning
                                    * ship, tricorn), NULL for the classic set; without:
                                    * kernel_formula's settings */
    const double *re;     /* the rect's first column, view->re + rect.x */
    const double *im;     /* the rect's first row, view->im + rect.y */
    uint32_t max_iter;
    bool shortcuts;
    float *smooth;        /* at the rect's origin, or NULL */
    float *distance;      /* at the rect's origin, or NULL; in pixels */
    size_t stride;        /* of smooth and distance */
    double pixels_per_unit; /* converts kernel_formula's plane-unit distances */
} kernel_job;

/* Pixels x..x+n-1 of row `row` of a kernel_job's rect (user) into out[0..n-1], with their
 * smooth values and distances if asked: the thread pool's sched_segment_fn (sched.h) for
 * the double engines. Its kernels poll `w`. */
void kernel_segment(void *user, struct sched_worker *w, uint32_t row, uint32_t x, uint32_t n,
                    uint32_t *out);

/* The kernel for `isa`: MANDEL_ISA_AUTO resolves to the best available. Returns NULL if
 * that kernel is not built or the CPU lacks it; *resolved gets the ISA actually chosen. */
kernel_fn *kernel_select(mandel_isa isa, mandel_isa *resolved);

/* Whether `isa` is built into this library and runnable on this CPU. */
bool kernel_available(mandel_isa isa);

/* "scalar", "avx2", ...; NULL out of range. */
const char *kernel_isa_name(mandel_isa isa);

#endif /* MANDEL_KERNEL_H */
