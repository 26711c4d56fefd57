/*
 * mandel.h - the public API of libmandel, a parallel Mandelbrot-set renderer.
 *
 * This header is the reference manual: every function states what it does, who owns
 * what, its return values and its thread rules.
 *
 * The model:
 *   - a mandel_ctx holds settings (threads, kernel, limits), an allocator, a progress
 *     callback and the text of the last error. One ctx per calling thread.
 *   - a mandel_view maps pixels to the complex plane: pixel (column i, row k, row 0 at the
 *     top) samples c = (re[i], im[k]) where re grows to the right and im grows upwards.
 *   - mandel_render() fills a caller-owned field of uint32 escape counts for any
 *     rectangle of a view; the counts of a pixel never depend on the rectangle, the
 *     thread count or the kernel.
 *   - colouring (mandel_color_*) and writing (mandel_image_*) are separate steps, so a
 *     field can be recoloured without recomputing it.
 *
 * Every function that can fail returns an int error code: MANDEL_OK (0) or one of the
 * MANDEL_E* values. mandel_strerror() gives fixed text for a code; mandel_errmsg() gives
 * the exact problem of the last failure on a ctx. The library never exits or aborts.
 */
#ifndef MANDEL_H
#define MANDEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MANDEL_BUILDING) && defined(__GNUC__)
#define MANDEL_API __attribute__((visibility("default")))
#else
#define MANDEL_API
#endif

/* ------------------------------------------------------------------------------------- */
/* Versions                                                                              */

#define MANDEL_VERSION_MAJOR 0
#define MANDEL_VERSION_MINOR 1
#define MANDEL_VERSION_PATCH 0
#define MANDEL_VERSION_NUMBER \
    (MANDEL_VERSION_MAJOR * 10000 + MANDEL_VERSION_MINOR * 100 + MANDEL_VERSION_PATCH)

/*! mandel_version_number() :
 *  @return : MANDEL_VERSION_NUMBER of the library actually linked. */
MANDEL_API unsigned mandel_version_number(void);

/*! mandel_version_string() :
 *  @return : "MAJOR.MINOR.PATCH" of the library actually linked (static storage). */
MANDEL_API const char *mandel_version_string(void);

/* ------------------------------------------------------------------------------------- */
/* Errors. Values are fixed: new codes are appended, never renumbered.                   */

enum {
    MANDEL_OK = 0,
    MANDEL_EINVAL = 1,    /* an argument is out of range or malformed */
    MANDEL_ENOMEM = 2,    /* an allocation failed */
    MANDEL_ETOOBIG = 3,   /* a size exceeds a limit or does not fit in memory */
    MANDEL_EISA = 4,      /* the requested kernel is not built or the CPU lacks it */
    MANDEL_ECANCELED = 5, /* the progress callback asked to stop */
    MANDEL_EIO = 6,       /* a file could not be created, written or renamed */
    MANDEL_ETHREAD = 7,   /* a worker thread could not be started */
    MANDEL_EFORMAT = 8,   /* unknown file format, palette or pixel layout */
};

/*! mandel_strerror() :
 *  @return : fixed English text for an error code (static storage, never NULL). */
MANDEL_API const char *mandel_strerror(int err);

/* ------------------------------------------------------------------------------------- */
/* Context                                                                               */

/* A rectangle of pixels of a view: columns x..x+width-1, rows y..y+height-1. */
typedef struct mandel_rect {
    uint32_t x, y, width, height;
} mandel_rect;

typedef struct mandel_ctx mandel_ctx;

/* Allocation hook. alloc() returns NULL on failure; free() accepts NULL. */
typedef struct mandel_allocator {
    void *(*alloc)(void *user, size_t bytes);
    void (*free)(void *user, void *ptr);
    void *user;
} mandel_allocator;

/*! mandel_ctx_new() :
 *  Creates a context. `alloc` may be NULL (malloc/free); if not, it is copied and used for
 *  every allocation made on behalf of this ctx, including views and images.
 *  @return : the ctx, or NULL if the allocation failed. */
MANDEL_API mandel_ctx *mandel_ctx_new(const mandel_allocator *alloc);

/*! mandel_ctx_free() : frees the ctx. NULL is a no-op. */
MANDEL_API void mandel_ctx_free(mandel_ctx *ctx);

/*! mandel_errmsg() :
 *  @return : the exact problem of the last call made with this ctx, or with an object
 *            holding it (a view's or image's calls), if it failed (e.g. "rect 0,0 500x10 is
 *            outside the 400x400 view"); "" if it succeeded. Every function that returns an
 *            error code sets it ("" on success); accessors (mandel_ctx_get, _stats) and
 *            the void functions that free (mandel_image_abort, mandel_view_free) leave it.
 *            The message is whole however long (a path of any length), except that user
 *            text such as a centre of many digits is quoted by its first 40 characters and
 *            "..."; if the memory for a long message cannot be had, its first 252 bytes
 *            end in "...". Owned by the ctx, valid until the next call on it. */
MANDEL_API const char *mandel_errmsg(const mandel_ctx *ctx);

typedef enum {
    MANDEL_OPT_THREADS = 1,    /* worker threads; 0 = all online CPUs (default 0), 0..1024;
                                * a ctx set to a shared pool uses the pool's count */
    MANDEL_OPT_ISA = 2,        /* a mandel_isa; default MANDEL_ISA_AUTO */
    MANDEL_OPT_MAX_PIXELS = 3, /* largest rect one render accepts, 1..2^40 (default 2^34) */
    MANDEL_OPT_MAX_ITER = 4,   /* largest iteration limit accepted, 1..2^32-1 (default max) */
    MANDEL_OPT_SHORTCUTS = 5,  /* 1 = skip provably interior pixels (default), 0 = plain */
    MANDEL_OPT_ENGINE = 6,     /* a mandel_engine; default MANDEL_ENGINE_AUTO */
    MANDEL_OPT_GUESS = 7,      /* 1 = Mariani-Silver guessing on 32x32 view-aligned tiles:
                                * faster, but may miss filaments thinner than a tile (default
                                * 0). Results still never depend on rect or threads. Counts
                                * of the classic Mandelbrot set only. */
    MANDEL_OPT_FORMULA = 8,    /* a mandel_formula (default MANDEL_FORMULA_MANDELBROT) */
    MANDEL_OPT_POWER = 9,      /* d in z^d + c, 2..64 (default 2); MANDELBROT only */
    MANDEL_OPT_MAX_MEMORY = 10, /* bytes one call may allocate, 1..2^63-1 (default half the
                                 * physical memory, or 2^30 where that is unknown): a
                                 * render's reference orbit, approximation table, guessing
                                 * tiles and MPFR scratch; a file read (.npy). Checked before
                                 * allocating: going past it is MANDEL_ETOOBIG, and
                                 * mandel_errmsg() names the bytes needed and the limit. The
                                 * reference orbit is checked for its whole length, max_iter
                                 * + 1 steps of 16 bytes (56 below a pixel of 2^-900), even
                                 * if it escapes early. Fields the caller passes do not count:
                                 * they are the caller's. */
    MANDEL_OPT_EXACT = 11,     /* 1 = exact counts at depth: with PERTURB (and AUTO beyond
                                * double), the pixels whose count double deltas cannot be
                                * trusted for (their distance to the set below the error the
                                * deltas may carry) are computed again with double-double
                                * deltas, and those still in doubt with MPFR, so that every
                                * count equals MPFR's. The first pass then carries every
                                * pixel's derivative. Any depth for z^2 + c; the Burning Ship,
                                * the Tricorn and z^d with pixels above 2^-900 (zooms to
                                * about 1e270) only, as yet (MANDEL_EINVAL beyond). Default 0.
                                * No effect on DOUBLE and MPFR. */
} mandel_option;

/* What is iterated. The count is always the first n >= 1 with |z_n| >= 2 (else the limit).
 * Anything other than the classic set z^2 + c (counts only) runs on the general scalar
 * engine in double precision, and beyond it on the deep engines (not Julia sets). */
typedef enum {
    MANDEL_FORMULA_MANDELBROT = 0,   /* z <- z^d + c (MANDEL_OPT_POWER) */
    MANDEL_FORMULA_BURNING_SHIP = 1, /* z <- (|Re z| + i |Im z|)^2 + c */
    MANDEL_FORMULA_TRICORN = 2,      /* z <- conj(z)^2 + c (the Mandelbar) */
    MANDEL_FORMULA_COUNT
} mandel_formula;

/*! mandel_formula_name() : "mandelbrot", "burning-ship", "tricorn"; NULL out of range. */
MANDEL_API const char *mandel_formula_name(mandel_formula formula);

/* Kernel instruction sets. Names (mandel_isa_name) are what --isa accepts. */
typedef enum {
    MANDEL_ISA_AUTO = 0,   /* the best one the CPU supports */
    MANDEL_ISA_SCALAR = 1, /* plain C: the specification */
    MANDEL_ISA_GENERIC = 2,
    MANDEL_ISA_SSE2 = 3,
    MANDEL_ISA_AVX2 = 4,
    MANDEL_ISA_AVX512 = 5,
    MANDEL_ISA_COUNT
} mandel_isa;

/* Engines (MANDEL_OPT_ENGINE). Every engine computes the same escape count definition
 * (mandel_render); they differ in arithmetic, so in what depth they can reach:
 *   - DOUBLE: the double-precision kernels (MANDEL_OPT_ISA). Views whose pixel step is
 *     below about 2^-50 of the coordinates are too deep for it.
 *   - PERTURB: one reference orbit in MPFR at the view's precision; every pixel iterates
 *     its difference from it in double, or in an extended-exponent float beyond 1e-270,
 *     with rebasing (no glitches) and bilinear approximation to skip iterations. Any depth.
 *   - MPFR: every pixel iterated in MPFR at full precision. Exact but very slow: the
 *     reference the others are tested against.
 *   - AUTO: DOUBLE while the view is shallow enough for it (mandel_view_engine), else
 *     PERTURB. PERTURB and MPFR need a view made from a centre (mandel_view_new_center,
 *     mandel_view_new_zoom). Names (mandel_engine_name): "auto", "double", "perturb",
 *     "mpfr". */
typedef enum {
    MANDEL_ENGINE_AUTO = 0,
    MANDEL_ENGINE_DOUBLE = 1,
    MANDEL_ENGINE_PERTURB = 2,
    MANDEL_ENGINE_MPFR = 3,
    MANDEL_ENGINE_COUNT
} mandel_engine;

/*! mandel_engine_name() : "auto", "double", "perturb", "mpfr"; NULL if out of range. */
MANDEL_API const char *mandel_engine_name(mandel_engine engine);

/*! mandel_ctx_set() :
 *  Sets one option. Values are checked against mandel_option_bounds(); asking for an ISA
 *  that is not built or that this CPU lacks fails with MANDEL_EISA.
 *  @return : MANDEL_OK, MANDEL_EINVAL (unknown option, out of bounds) or MANDEL_EISA. */
MANDEL_API int mandel_ctx_set(mandel_ctx *ctx, mandel_option opt, int64_t value);

/*! mandel_ctx_get() : reads one option into *value. @return : MANDEL_OK or MANDEL_EINVAL. */
MANDEL_API int mandel_ctx_get(const mandel_ctx *ctx, mandel_option opt, int64_t *value);

/*! mandel_option_bounds() : the accepted range of an option. @return MANDEL_OK/EINVAL. */
MANDEL_API int mandel_option_bounds(mandel_option opt, int64_t *lo, int64_t *hi);

/*! mandel_isa_name() : "auto", "scalar", "generic", "sse2", "avx2", "avx512"; NULL if out
 *  of range. */
MANDEL_API const char *mandel_isa_name(mandel_isa isa);

/*! mandel_isa_available() : 1 if the kernel is built and this CPU can run it, else 0. */
MANDEL_API int mandel_isa_available(mandel_isa isa);

/*! Progress callback: called on the thread that called mandel_render(), about ten times a
 *  second and once at the end, with the pixels finished so far and the pixels in the rect.
 *  Returning non-zero cancels the render, which then fails with MANDEL_ECANCELED; workers
 *  stop after the segment they are computing (a row of up to 2048 pixels; 64 pixels
 *  beyond double precision). */
typedef int (*mandel_progress_fn)(void *user, uint64_t pixels_done, uint64_t pixels_total);

/* The phases of a render, for a mandel_phase_progress_fn. A render reports them in this
 * order, each at most once and each ending with done = total:
 *   - MANDEL_PHASE_ORBIT: only with the PERTURB engine, before the first pixel, when the
 *     reference orbit is computed (the first render of a view with a given max_iter; later
 *     ones reuse it). done and total count its iterations; total is max_iter, an upper
 *     bound: an orbit that escapes sooner ends with a call done = total = max_iter.
 *   - MANDEL_PHASE_PIXELS: the pixels; done and total count pixels of the rect, exactly as
 *     a mandel_progress_fn's pixels_done and pixels_total.
 *   - MANDEL_PHASE_EXACT: only with MANDEL_OPT_EXACT, after the pixels, when some are
 *     computed again: done and total count those. (A mandel_progress_fn is then called
 *     with pixels_done = pixels_total, and may still cancel.) */
typedef enum mandel_phase {
    MANDEL_PHASE_PIXELS = 0,
    MANDEL_PHASE_ORBIT = 1,
    MANDEL_PHASE_BLA = 2, /* building the approximation table: only mandel_view_prepared()
                           * says so; callbacks see it as the end of MANDEL_PHASE_ORBIT
                           * (done = total) */
    MANDEL_PHASE_WRITE = 3, /* mandel_picture_write() and _colour() only (added in 0.1):
                             * just before and just after each band of rows goes to the
                             * image; done = rows written by then, total = the height */
    MANDEL_PHASE_EXACT = 4, /* MANDEL_OPT_EXACT's second pass (see above) */
} mandel_phase;

/*! Phase-aware progress callback: as mandel_progress_fn (the same thread, rate and
 *  cancelling by a non-zero return; during the orbit, cancelling stops it within about a
 *  tenth of a second), with the phase and the progress within it. */
typedef int (*mandel_phase_progress_fn)(void *user, mandel_phase phase, uint64_t done,
                                        uint64_t total);

/*! mandel_ctx_set_phase_progress() :
 *  Installs (or, with fn = NULL, removes) a phase-aware callback. A ctx has one progress
 *  callback: this replaces one set with mandel_ctx_set_progress(), and that replaces this.
 *  (Added in 0.1: a plain mandel_progress_fn keeps its meaning, pixels_done = 0 while the
 *  reference orbit is computed.) */
MANDEL_API void mandel_ctx_set_phase_progress(mandel_ctx *ctx, mandel_phase_progress_fn fn,
                                              void *user);

/*! mandel_pool_new() :
 *  A pool of `n_threads` worker threads (0 = every online CPU; at most 1024) that several
 *  ctxs share (mandel_ctx_set_pool), so that a program rendering on several threads at
 *  once (one ctx each, e.g. a server's render threads) runs its pixels on n_threads
 *  workers in all rather than on each ctx's own. The pool runs one pixel pass (or one
 *  PNG's compression) at a time, on all its threads, the calling thread being one of them;
 *  the other ctxs' calls wait their turn (in no promised order), calling their progress
 *  callback meanwhile about ten times a second with pixels_done = 0 (MANDEL_PHASE_PIXELS),
 *  through which each may give up (MANDEL_ECANCELED). A deep view's reference orbit and
 *  table are computed on the calling thread outside the pool, so while one ctx computes an
 *  orbit the pool serves the others. Results never depend on the pool: counts are those of
 *  any thread count. `alloc` (may be NULL) is used for the pool's own memory.
 *  @return : MANDEL_OK with *out set; MANDEL_EINVAL (out NULL, n_threads above 1024, an
 *            allocator without alloc or free); MANDEL_ENOMEM; MANDEL_ETHREAD. */
typedef struct mandel_pool mandel_pool;
MANDEL_API int mandel_pool_new(mandel_pool **out, uint32_t n_threads,
                               const mandel_allocator *alloc);

/*! mandel_pool_free() :
 *  Gives up the creator's hold on the pool. The threads stop and the memory goes when the
 *  last holder lets go: this call, or the last ctx set to the pool being freed or set to
 *  another pool, so the pool and its ctxs may be freed in any order, even while those ctxs
 *  render on other threads. NULL is a no-op. */
MANDEL_API void mandel_pool_free(mandel_pool *pool);

/*! mandel_ctx_set_pool() :
 *  Renders (and PNG compression) of this ctx run on `pool` from now on, with the pool's
 *  thread count (MANDEL_OPT_THREADS is then not used); NULL returns the ctx to a pool of
 *  its own (made at its next render). The ctx holds the pool until it is freed or set
 *  again. Not during a call on the ctx.
 *  @return : MANDEL_OK, MANDEL_EINVAL (ctx NULL). */
MANDEL_API int mandel_ctx_set_pool(mandel_ctx *ctx, mandel_pool *pool);

/*! mandel_ctx_cancel() :
 *  Asks the render running on `ctx` (mandel_render, mandel_render_fields) to stop as soon
 *  as it can and fail with MANDEL_ECANCELED: within milliseconds in the pixel pass (every
 *  thread looks between segments and inside long pixels), within 64 MPFR steps of a
 *  reference orbit, within a few thousand merges of a BLA table, within a tenth of a second
 *  while waiting for another render's orbit or for a shared pool's turn. Callable from any
 *  thread and from a signal handler (one lock-free atomic store: it neither takes a lock
 *  nor touches mandel_errmsg). If no render is running, the next render on the ctx is the
 *  one cancelled; the request is used up by the render it cancels (a render that returns
 *  MANDEL_ECANCELED for any reason clears it). The ctx must stay alive during the call.
 *  @return : MANDEL_OK, MANDEL_EINVAL (ctx NULL). */
MANDEL_API int mandel_ctx_cancel(mandel_ctx *ctx);

/*! mandel_ctx_set_julia() :
 *  on = 1: render Julia sets: z_0 is the pixel and c = re + im*i for every pixel; on = 0:
 *  the parameter plane (z_0 = 0, c = the pixel), the default.
 *  @return : MANDEL_OK, MANDEL_EINVAL (NULL, non-finite re or im). */
MANDEL_API int mandel_ctx_set_julia(mandel_ctx *ctx, int on, double re, double im);

/*! mandel_ctx_set_progress() : installs (or, with fn = NULL, removes) the callback; it
 *  replaces a mandel_ctx_set_phase_progress() one. */
MANDEL_API void mandel_ctx_set_progress(mandel_ctx *ctx, mandel_progress_fn fn, void *user);

/* Where a render writes: any of the three may be NULL (but not all). Each holds rows of the
 * rect `stride` elements apart, and `capacity` elements in all. */
typedef struct mandel_fields {
    uint32_t *counts;   /* escape counts */
    float *smooth;      /* continuous iteration value; the limit for interior points */
    float *distance;    /* exterior distance estimate in pixels (plane units / the view's
                         * row spacing: 2*radius/height, or (ymax-ymin)/height for bounds),
                         * from every engine (plane units would underflow float beyond
                         * zooms of about 1e38); 0 inside */
    size_t stride;
    size_t capacity;
} mandel_fields;

/*! Sink callback: receives each finished piece of a render on the worker thread that
 *  computed it, right after computing it (while it is still in cache), so that colouring
 *  or packing runs in parallel. `piece` is relative to the rendered rect; `at` points at the
 *  piece's first element in each requested field (counts always: a scratch copy when the
 *  render was not asked for counts), rows `at->stride` apart. Pieces are disjoint and cover
 *  the rect exactly once; several threads call the sink at the same time. */
typedef void (*mandel_sink_fn)(void *user, mandel_rect piece, const mandel_fields *at);

/*! mandel_ctx_set_sink() : installs (or, with fn = NULL, removes) the sink. */
MANDEL_API void mandel_ctx_set_sink(mandel_ctx *ctx, mandel_sink_fn fn, void *user);

/* What the last successful render on a ctx did. Fields are only ever appended: the
 * deep-zoom split (orbit_seconds on) was appended in 0.1, which changed the struct's size,
 * so code compiled against an earlier header must be rebuilt (mandel_ctx_stats copies the
 * whole struct). */
typedef struct mandel_stats {
    double seconds;       /* wall time of the render, orbit and BLA table included */
    uint64_t pixels;      /* pixels in the rect */
    uint64_t iterations;  /* sum of the counts of the rect */
    uint32_t threads;     /* worker threads used */
    const char *isa;      /* name of the kernel used (static storage) */
    /* PERTURB only (0 otherwise): where the time of a deep render went, and what its pixel
     * pass did. The orbit and the table are built by the first render of a view with a
     * given max_iter; later ones reuse them (0 s). */
    double orbit_seconds;     /* computing the reference orbit in MPFR */
    double bla_seconds;       /* building the bilinear approximation table */
    uint64_t bla_skips;       /* approximation steps applied over all pixels */
    uint64_t bla_iterations;  /* the iterations they covered */
    uint64_t exact_steps;     /* iterations done one by one (double or extended range) */
    uint64_t rebases;         /* times a pixel went back to the start of the orbit */
    /* Appended in 0.1 with shared deep state (mandel_view_new_tile): */
    uint32_t orbits;          /* reference orbits this render computed: 1 for the first
                               * render with a given max_iter among an anchor and all its
                               * tiles, 0 for those that found it computed (or waited) */
    /* MANDEL_OPT_EXACT (0 otherwise): the pixels computed again. */
    double exact_seconds;     /* the exact pass: choosing the pixels, the orbit's low
                               * parts, the pixels themselves */
    uint64_t exact_pixels;    /* doubtful pixels computed again in double-double */
    uint64_t exact_mpfr;      /* ... of which the MPFR engine computed (doubtful still) */
    uint64_t exact_changed;   /* ... whose count differs from the first pass's */
} mandel_stats;

/*! mandel_ctx_stats() : copies the statistics of the last successful render. */
MANDEL_API void mandel_ctx_stats(const mandel_ctx *ctx, mandel_stats *out);

/* ------------------------------------------------------------------------------------- */
/* Views                                                                                 */

typedef struct mandel_view mandel_view;

/*! mandel_view_new_bounds() :
 *  A width x height view of [xmin, xmax] x [ymin, ymax] sampled as the tutorial does:
 *  re[i] = xmin + i*((xmax-xmin)/width), im[k] = ymax - k*((ymax-ymin)/height), computed in
 *  that order in double. Row 0 is the top (im = ymax); the last column and row stop one
 *  step short of xmax and ymin.
 *  @return : MANDEL_OK with *out set (free it with mandel_view_free), MANDEL_EINVAL (a
 *            non-finite bound, xmin >= xmax, ymin >= ymax, zero size), MANDEL_ENOMEM. */
MANDEL_API int mandel_view_new_bounds(mandel_ctx *ctx, mandel_view **out, uint32_t width,
                                      uint32_t height, double xmin, double xmax, double ymin,
                                      double ymax);

/*! mandel_view_new_center() :
 *  A width x height view of square pixels centred on re + im*i, whose half-height is
 *  `radius` plane units. The three numbers are decimal text ("-0.75", "1e-3"); the text of
 *  the centre is kept as given (mandel_view_center) for engines that need all its digits.
 *  Samples sit at pixel centres, symmetric around the centre:
 *  re[i] = re + (i - (width-1)/2) * step, im[k] = im - (k - (height-1)/2) * step,
 *  step = 2*radius/height.
 *  Views of any depth are accepted: radius may be "1e-1086" and the centre may carry
 *  thousands of digits; they are parsed exactly (MPFR) for the deep engines. Where double
 *  precision suffices the double kernels see exactly the coordinates described above; for
 *  deeper views mandel_view_point() returns the points rounded to double, and only the
 *  PERTURB and MPFR engines can render them (mandel_view_engine).
 *  @return : MANDEL_OK, MANDEL_EINVAL (malformed or non-finite text, radius <= 0, zero
 *            size, a view reaching beyond 1e300), MANDEL_ETOOBIG (deeper than this build
 *            supports: a view needing more than 2^26 bits of precision, about a step of
 *            2^-(2^26 - 64) around a centre within +-1, a zoom of 1e20201762 for 4 pixels),
 *            MANDEL_ENOMEM. */
MANDEL_API int mandel_view_new_center(mandel_ctx *ctx, mandel_view **out, uint32_t width,
                                      uint32_t height, const char *re, const char *im,
                                      const char *radius);

/*! mandel_view_new_zoom() :
 *  The same view as mandel_view_new_center with radius = 2/zoom (Kalles Fraktaler's .kfr
 *  convention: zoom 1 shows a half-height of 2). `zoom` is decimal text of any magnitude
 *  ("1e1086", "5.00e227"); re and im may carry thousands of digits. The radius is kept as
 *  text (mandel_view_radius): for a zoom whose radius is a normal double it is "%.17g" of
 *  2.0/zoom computed in double, else 2/zoom to 31 significant digits.
 *  @return : MANDEL_OK, MANDEL_EINVAL (malformed text, zoom <= 0, zero size, too wide),
 *            MANDEL_ETOOBIG (deeper than this build supports, as mandel_view_new_center),
 *            MANDEL_ENOMEM. */
MANDEL_API int mandel_view_new_zoom(mandel_ctx *ctx, mandel_view **out, uint32_t width,
                                    uint32_t height, const char *re, const char *im,
                                    const char *zoom);

/*! mandel_view_new_tile() :
 *  A width x height view whose pixel (i, k) samples exactly what `anchor`'s pixel
 *  (col0 + i, row0 + k) would if the anchor extended beyond its edges, for every engine:
 *  the same double expressions as the anchor's own pixels (a centre view's
 *  re = cre + ((double)col - (W-1)/2.0) * step, im = cim - ((double)row - (H-1)/2.0) * step;
 *  a bounds view's re = xmin + col * dx, im = ymax - row * dy), and for PERTURB and MPFR the
 *  same offsets from the anchor's centre in units of its step. So a tile inside the anchor
 *  renders the anchor's pixels bit for bit, with any engine. The tile has the anchor's
 *  engine choice (mandel_view_engine), step, centre text, radius and zoom; a tile may be the
 *  anchor of further tiles (offsets add up).
 *  Deep state is shared: a deep tile holds, by reference count, the anchor's full-precision
 *  centre and step and the reference orbit and BLA tables of every max_iter, which the
 *  anchor and all its tiles (and their tiles) compute once between them, not once each. The
 *  anchor may be freed first (the state goes with the last view holding it). Its memory
 *  comes from the allocator of the ctx that made the anchor; the checks against
 *  MANDEL_OPT_MAX_MEMORY and the errors are the rendering ctx's.
 *  Threads: the anchor and its tiles may be rendered from several threads, each with its
 *  own ctx, at once. The first render that needs the orbit (or a table) for its max_iter
 *  computes it under the state's lock, reporting MANDEL_PHASE_ORBIT to its ctx's callback;
 *  the others wait, reporting the same progress to their own callbacks about ten times a
 *  second, through which each may cancel its own wait (MANDEL_ECANCELED). A render that
 *  fails or is cancelled while computing hands the work to a waiting one. Pixel passes run
 *  at once, reading the shared orbit. The most recently used max_iter stays prepared;
 *  others are freed when no render uses them.
 *  BLA tables: a pixel inside the anchor's rectangle uses the anchor's own table, so tiles
 *  equal the anchor's pixels whatever part of them lies beyond it; a pixel beyond uses the
 *  table of the smallest reach class (the anchor's corner distance times 2^k, k >= 1) that
 *  covers its tile, shared by every tile of that class. Beyond the anchor the MPFR engine
 *  keeps at least 32 of its 64 guard bits.
 *  @return : MANDEL_OK with *out set (free it with mandel_view_free), MANDEL_EINVAL (NULL
 *            anchor or out, zero size, a pixel 2^31 or more pixels from the anchor's
 *            origin, a pixel beyond 1e300), MANDEL_ENOMEM. */
MANDEL_API int mandel_view_new_tile(mandel_ctx *ctx, mandel_view **out,
                                    const mandel_view *anchor, int64_t col0, int64_t row0,
                                    uint32_t width, uint32_t height);

/*! mandel_view_adopt_orbit() :
 *  Gives `view` the reference orbit that `donor` keeps from its last PERTURB render with
 *  limit `max_iter` (a copy: either view may be freed first), so that view's next PERTURB
 *  render with that limit computes only its own approximation table, not the orbit. For
 *  views of one centre at many depths (the keyframes of a zoom video): render the deepest
 *  first, then let the others adopt its orbit. Both must be centre views (or their tiles)
 *  with the same centre text, and the donor at least as deep (as many bits of precision).
 *  The view's pixels then differ from those of its own orbit only by where the centre is
 *  rounded: by about 2^-64 of a pixel (the deep engines' guard bits), so counts and smooth
 *  values agree but for the last bits. A later render with another limit computes its own
 *  orbit again. Thread rules as mandel_render (renders of either view wait meanwhile).
 *  @return : MANDEL_OK; MANDEL_EINVAL (NULL, a bounds view, different centres, a donor with
 *            no orbit for max_iter, or one shallower than the view); MANDEL_ETOOBIG (the
 *            copy above MANDEL_OPT_MAX_MEMORY); MANDEL_ENOMEM. */
MANDEL_API int mandel_view_adopt_orbit(mandel_ctx *ctx, const mandel_view *view,
                                       const mandel_view *donor, uint32_t max_iter);

/*! mandel_view_free() : frees a view. NULL is a no-op. */
MANDEL_API void mandel_view_free(mandel_view *view);

MANDEL_API uint32_t mandel_view_width(const mandel_view *view);
MANDEL_API uint32_t mandel_view_height(const mandel_view *view);

/*! mandel_view_point() : the plane point sampled by pixel (col, row).
 *  @return : MANDEL_OK, or MANDEL_EINVAL if the pixel is outside the view. */
MANDEL_API int mandel_view_point(const mandel_view *view, uint32_t col, uint32_t row,
                                 double *re, double *im);

/*! mandel_view_center() : the centre as decimal text: as given to mandel_view_new_center,
 *  or printed with 17 significant digits for a bounds view. Owned by the view. */
MANDEL_API void mandel_view_center(const mandel_view *view, const char **re, const char **im);

/*! mandel_view_radius() : the half-height as decimal text, as given to
 *  mandel_view_new_center or derived by mandel_view_new_zoom; NULL for a bounds view.
 *  Owned by the view. */
MANDEL_API const char *mandel_view_radius(const mandel_view *view);

/*! mandel_view_engine() : the engine MANDEL_ENGINE_AUTO renders this view with:
 *  MANDEL_ENGINE_DOUBLE or MANDEL_ENGINE_PERTURB (MANDEL_ENGINE_AUTO for NULL). */
MANDEL_API mandel_engine mandel_view_engine(const mandel_view *view);

/*! mandel_view_prepared() :
 *  How far the deep state of `view` (shared with its anchor and tiles) is prepared for
 *  renders with `max_iter`, for a progress display on any thread while other threads
 *  render: *phase = MANDEL_PHASE_ORBIT while the reference orbit is computed (or before it
 *  starts: done = 0; done and total count iterations, total = max_iter),
 *  MANDEL_PHASE_BLA while the approximation table is built (done of total, about the
 *  orbit's steps merged), MANDEL_PHASE_PIXELS when both are ready for the view's pixels
 *  (done = total = 1), and so always for a view without deep state (a bounds view) or
 *  one AUTO renders in double (nothing to prepare; the MPFR engine prepares nothing
 *  either). Thread-safe; it takes the shared state's lock for a moment.
 *  @return : MANDEL_OK, MANDEL_EINVAL (NULL view or output, max_iter 0). */
MANDEL_API int mandel_view_prepared(const mandel_view *view, uint32_t max_iter,
                                    mandel_phase *phase, uint64_t *done, uint64_t *total);

/* ------------------------------------------------------------------------------------- */
/* Rendering                                                                             */

/*! mandel_field_size() :
 *  The bytes a tightly packed count field of `rect` needs (width*height*4), checked for
 *  overflow. @return : MANDEL_OK, MANDEL_EINVAL (empty rect), MANDEL_ETOOBIG (overflow). */
MANDEL_API int mandel_field_size(mandel_rect rect, size_t *bytes);

/*! mandel_render() :
 *  Computes the escape count of every pixel of `rect` of `view` into `counts`: the first
 *  n >= 1 with |z_n| >= 2 where z_0 = 0, z_{n+1} = z_n^2 + c, or `max_iter` if there is
 *  none up to max_iter. Row r of the rect starts at counts[r * stride]; stride >=
 *  rect.width, and counts_bytes must cover ((height-1)*stride + width) counts.
 *  Work is spread over the ctx's threads; counts are identical for any thread count,
 *  kernel, rect or stride. Blocks until done or cancelled.
 *  The engine is MANDEL_OPT_ENGINE's (see mandel_engine). The deep engines keep the
 *  reference orbit and approximation table of the last max_iter on the view (shared with
 *  its tiles: mandel_view_new_tile), so a view rendered band by band computes them once;
 *  one deep view may be rendered from several threads at once (one ctx each), the orbit
 *  computed by one of them while the others wait. With PERTURB, a long reference orbit is computed before the first
 *  pixel: the progress callback is then called with pixels_done = 0 (it may cancel); a
 *  mandel_phase_progress_fn sees it as MANDEL_PHASE_ORBIT with its own progress.
 *  @return : MANDEL_OK; MANDEL_EINVAL (NULL, rect outside the view, max_iter 0 or above
 *            MANDEL_OPT_MAX_ITER, buffer too small, a view too deep for a forced DOUBLE
 *            engine, a bounds view with PERTURB or MPFR); MANDEL_ETOOBIG (rect above
 *            MANDEL_OPT_MAX_PIXELS, or what the render would allocate above
 *            MANDEL_OPT_MAX_MEMORY); MANDEL_EISA; MANDEL_ENOMEM; MANDEL_ETHREAD;
 *            MANDEL_ECANCELED (counts then hold partial results). */
MANDEL_API int mandel_render(mandel_ctx *ctx, const mandel_view *view, uint32_t max_iter,
                             mandel_rect rect, uint32_t *counts, size_t stride,
                             size_t counts_bytes);

/* ------------------------------------------------------------------------------------- */
/* Location files                                                                        */

/* A location read from a Kalles Fraktaler .kfr file. */
typedef struct mandel_location mandel_location;

/*! mandel_location_parse() :
 *  Parses the text of a .kfr location: lines of `Key: value`, LF or CRLF. Re, Im (decimal
 *  text, any number of digits), Zoom (decimal text > 0, any magnitude; radius = 2/Zoom, see
 *  mandel_view_new_zoom) and Iterations (1..2^32-1) are required; other keys (colouring
 *  settings) are ignored; blank lines are allowed. `text` need not be NUL-terminated.
 *  @return : MANDEL_OK with *out set (free with mandel_location_free); MANDEL_EFORMAT with
 *            "line N: ..." or "missing key ..." in mandel_errmsg (a line without ':', an
 *            empty key, a duplicate of a used key, a bad value); MANDEL_EINVAL (NULL);
 *            MANDEL_ENOMEM. */
MANDEL_API int mandel_location_parse(mandel_ctx *ctx, const char *text, size_t len,
                                     mandel_location **out);

/*! mandel_location_read() :
 *  mandel_location_parse() on the contents of the file `path` (at most 16 MiB).
 *  @return : as mandel_location_parse, and MANDEL_EIO if the file cannot be read (with
 *            the path and the reason in mandel_errmsg). */
MANDEL_API int mandel_location_read(mandel_ctx *ctx, const char *path,
                                    mandel_location **out);

/*! mandel_location_get() : the location's values. The strings are owned by the location
 *  (valid until mandel_location_free); any output pointer may be NULL. Pass re, im and
 *  zoom to mandel_view_new_zoom, iterations to mandel_render. */
MANDEL_API void mandel_location_get(const mandel_location *loc, const char **re,
                                    const char **im, const char **zoom, uint32_t *iterations);

/*! mandel_location_save() :
 *  Writes the location of `view` with limit `iterations` as a .kfr file that
 *  mandel_location_read() and Kalles Fraktaler read: `Re`, `Im` (the view's centre text,
 *  every digit), `Zoom` (as given to mandel_view_new_zoom, else 2/radius: "%.17g" where it
 *  is a normal double, else 30 significant digits) and `Iterations`, CRLF lines. A bounds
 *  view gives its centre and Zoom = 4/(ymax-ymin): the same picture sampled at pixel
 *  centres. The file is written whole under a temporary name beside `path` and renamed, so
 *  `path` never holds part of one.
 *  @return : MANDEL_OK; MANDEL_EINVAL (NULL, iterations 0); MANDEL_EIO (with the path and
 *            the reason in mandel_errmsg); MANDEL_ENOMEM. */
MANDEL_API int mandel_location_save(mandel_ctx *ctx, const mandel_view *view,
                                    uint32_t iterations, const char *path);

/*! mandel_location_free() : frees a location. NULL is a no-op. */
MANDEL_API void mandel_location_free(mandel_location *loc);

/*! mandel_render_fields() :
 *  mandel_render() for any of the fields: counts, smooth values, distance estimates
 *  (mandel_fields). The formula, power and Julia settings of the ctx apply. With the DOUBLE
 *  engine, smooth values and distances, other formulas and Julia sets are computed by the
 *  general scalar engine in double precision; distances only for MANDELBROT. PERTURB and
 *  MPFR render every formula and power (not Julia sets), counts and smooth values, and
 *  distances for z^2 + c: the same smooth value definition and distance unit (pixels), so
 *  the fields are continuous across the switch of engines.
 *  @return : as mandel_render; MANDEL_EINVAL also for all fields NULL, a capacity too small,
 *            distance with another formula, and with PERTURB or MPFR (AUTO beyond double)
 *            a Julia set or distance with a power above 2. */
MANDEL_API int mandel_render_fields(mandel_ctx *ctx, const mandel_view *view, uint32_t max_iter,
                                    mandel_rect rect, const mandel_fields *fields);

/* ------------------------------------------------------------------------------------- */
/* Colouring                                                                             */

/* How a value (a count or a smooth iteration value) finds its place t in 0..1 on the
 * palette. Interior points (value >= max_iter) get the interior colour, except with RANGE. */
typedef enum {
    MANDEL_MAP_RANGE = 0,     /* t = (v - lo) / (hi - lo), entry trunc(t*256) as matplotlib
                               * does (the tutorial's look); interior points included */
    MANDEL_MAP_CYCLE = 1,     /* t = frac(sqrt(max(v-1, 0)) / period + offset), cyclic */
    MANDEL_MAP_LOG = 2,       /* t = log(1 + v - lo) / log(1 + hi - lo) */
    MANDEL_MAP_HISTOGRAM = 3, /* t = fraction of the field's escaped values below v */
} mandel_mapping;

#define MANDEL_HISTOGRAM_BINS 1024

/* How values become colours. Fill it with mandel_color_init(), then adjust mapping, lo,
 * hi, period, offset or interior; to change the palette, call mandel_color_init() again or
 * mandel_color_gradient() (they fill the table). */
typedef struct mandel_color {
    int palette;              /* index from mandel_palette_find(); -1 for a gradient file */
    mandel_mapping mapping;   /* from the palette; may be changed */
    uint32_t max_iter;        /* values at or above this are interior */
    double lo, hi;            /* value range (mandel_color_range, _range_values, _histogram) */
    double period, offset;    /* CYCLE: one turn per `period` units of sqrt(value) (default
                               * 8), shifted by `offset` turns (default 0) */
    uint8_t interior[3];      /* colour of interior points (default black) */
    uint8_t table[256][3];    /* the palette's colours, filled by mandel_color_init() */
    float cdf[MANDEL_HISTOGRAM_BINS + 1]; /* HISTOGRAM: filled by mandel_color_histogram() */
} mandel_color;

/*! mandel_palette_find() : the index of a built-in palette by name ("default", "viridis",
 *  "grey", ...). @return : MANDEL_OK, or MANDEL_EFORMAT if there is no such palette. */
MANDEL_API int mandel_palette_find(const char *name, int *index);

/*! mandel_palette_name() : the name of palette `index`, or NULL past the last one; so
 *  names can be listed with index = 0, 1, ... */
MANDEL_API const char *mandel_palette_name(int index);

/*! mandel_palette_describe() : one line about palette `index`, or NULL past the last. */
MANDEL_API const char *mandel_palette_describe(int index);

/*! mandel_palette_needs_range() : 1 if the palette maps counts relative to the field's
 *  lo..hi range (so the whole field must be known before colouring), else 0. */
MANDEL_API int mandel_palette_needs_range(int index);

/*! mandel_color_init() : defaults for palette `index` and iteration limit `max_iter`
 *  (range 0..max_iter, black interior). @return : MANDEL_OK or MANDEL_EINVAL. */
MANDEL_API int mandel_color_init(mandel_color *color, int index, uint32_t max_iter);

/*! mandel_color_gradient() :
 *  Replaces the colour table with a user gradient given as text: one stop a line,
 *  `POSITION COLOR`, POSITION from 0 to 1, non-decreasing (two equal positions make a hard
 *  edge), the first 0 and the last 1, COLOR as #rrggbb; lines starting with '#' followed by
 *  a space, and blank lines, are ignored; 2..256 stops. Sets the mapping to cycle.
 *  @return : MANDEL_OK, or MANDEL_EFORMAT with the line and the problem in mandel_errmsg. */
MANDEL_API int mandel_color_gradient(mandel_ctx *ctx, mandel_color *color, const char *text,
                                     size_t len);

/*! mandel_color_range() : sets color->lo/hi to the smallest and largest of n counts. */
MANDEL_API void mandel_color_range(mandel_color *color, const uint32_t *counts, size_t n);

/*! mandel_color_range_values() : sets color->lo/hi to the smallest and largest finite of n
 *  values. */
MANDEL_API void mandel_color_range_values(mandel_color *color, const float *values, size_t n);

/*! mandel_color_histogram() : prepares MANDEL_MAP_HISTOGRAM: lo/hi become the range of the
 *  escaped values (below max_iter) and cdf their cumulative distribution over
 *  MANDEL_HISTOGRAM_BINS bins. */
MANDEL_API void mandel_color_histogram(mandel_color *color, const float *values, size_t n);

/*! mandel_color_auto_period() : the period a cycling palette takes when the user gives
 *  none, from the view's own values: n samples of the view (smooth values, or counts as
 *  floats; those at or above max_iter, the interior, are left out) spread evenly over it
 *  (mandel_picture_write takes a lattice of at most MANDEL_PERIOD_LATTICE x
 *  MANDEL_PERIOD_LATTICE). If the escaped values, from their 1st to their 99.9th
 *  percentile (of sqrt(v - 1), the cycle's own scale), span less than one turn of the
 *  default period 8, the period becomes half their spread (two turns); otherwise 8. So
 *  the whole set keeps 8, and a deep view whose counts lie in a narrow band gets colours
 *  across it instead of a nearly flat picture. Fewer than 16 escaped
 *  values, or all equal: 8. Sets color->period; no other field.
 *  @return : MANDEL_OK, or MANDEL_EINVAL (period unchanged) for NULL arguments or n above
 *            MANDEL_PERIOD_LATTICE squared. */
#define MANDEL_PERIOD_LATTICE 64
MANDEL_API int mandel_color_auto_period(mandel_color *color, const float *values, size_t n);

/*! mandel_color_values() : as mandel_color_rgb, for float values (smooth iteration values,
 *  where interior points carry max_iter). Thread-safe. @return : MANDEL_OK/EINVAL. */
MANDEL_API int mandel_color_values(const mandel_color *color, const float *values, size_t n,
                                   uint8_t *rgb);

/*! mandel_color_distance() : colours n distance estimates (0 inside) of which `pixel`
 *  make one pixel (1 for mandel_render_fields' distances, which are in pixels already; the
 *  row spacing for plane units): t = log10(1 + distance/pixel) / 2, clamped to 0..1, on the
 *  palette (not cyclically): filaments within a pixel take the first colours, points 100
 *  pixels away and more the last; interior points (0) the interior colour. Thread-safe.
 *  @return : MANDEL_OK, MANDEL_EINVAL (NULL, pixel not > 0). */
MANDEL_API int mandel_color_distance(const mandel_color *color, const float *distance,
                                     size_t n, double pixel, uint8_t *rgb);

/*! mandel_color_rgb() : colours n counts into 3*n bytes of 8-bit sRGB.
 *  The "viridis" palette reproduces matplotlib's imshow(): counts mapped linearly from
 *  lo..hi onto its 256 entries, as matplotlib truncates. Thread-safe: `color` is only read.
 *  @return : MANDEL_OK/EINVAL. */
MANDEL_API int mandel_color_rgb(const mandel_color *color, const uint32_t *counts, size_t n,
                                uint8_t *rgb);

/*! mandel_color_downsample() :
 *  Anti-aliasing: averages blocks of factor x factor RGB samples in linear light (sRGB
 *  decoded, averaged, encoded) into one row of `width` pixels. `src` holds `factor` rows of
 *  width*factor samples, `src_stride` bytes apart; `dst` gets 3*width bytes. Identical
 *  samples give that colour back exactly. @return : MANDEL_OK, MANDEL_EINVAL (factor outside
 *  1..8, NULL, stride too small). */
MANDEL_API int mandel_color_downsample(const uint8_t *src, size_t src_stride, uint32_t factor,
                                       uint32_t width, uint8_t *dst);

/* A field of values seen at another scale (mandel_values_resample): destination sample
 * (q, r) reads the source at column x0 + q*step, row y0 + r*step (in source samples, 0 the
 * first sample's centre). The frames of a zoom video are cut this way from a keyframe of
 * smooth values: step = 2^-v for a frame 2^v times deeper than the keyframe. */
typedef struct mandel_resample {
    const float *src;              /* src_height rows of src_width values */
    uint32_t src_width, src_height;
    size_t src_stride;             /* values from one row to the next, >= src_width */
    double x0, y0;                 /* where destination sample (0, 0) reads */
    double step;                   /* source samples between destination samples, > 0 */
    float limit;                   /* values at or above it are interior (max_iter) */
} mandel_resample;

/*! mandel_values_resample() :
 *  Fills width x height `values` (rows of width) from `rs`: each sample bilinearly
 *  interpolated between the four source values around its position, or the nearest of them
 *  alone when any of the four is at or above rs->limit (a blend of the interior's limit
 *  with an escape count would be neither). A sample at a whole position reads that source
 *  value exactly (step 1 from whole x0, y0 copies the source). Runs on the ctx's threads;
 *  the result does not depend on their number.
 *  @return : MANDEL_OK; MANDEL_EINVAL (NULL, an empty size, capacity below width*height
 *            values, a step not above 0, a sample outside the source: every position must
 *            lie within 0..src_width-1 and 0..src_height-1); MANDEL_ENOMEM; MANDEL_ETHREAD. */
MANDEL_API int mandel_values_resample(mandel_ctx *ctx, const mandel_resample *rs,
                                      uint32_t width, uint32_t height, float *values,
                                      size_t capacity);

/*! mandel_values_resample_rgb() :
 *  A width x height RGB picture (3 bytes a pixel, rows of 3*width bytes in `rgb`) from `rs`:
 *  width*aa x height*aa samples resampled as mandel_values_resample() does, coloured with
 *  mandel_color_values() and averaged aa x aa in linear light (mandel_color_downsample), as
 *  a render with anti-aliasing is; on the ctx's threads, the same bytes for any number.
 *  @return : MANDEL_OK; MANDEL_EINVAL (as mandel_values_resample for the samples; aa outside
 *            1..8, rgb_bytes below 3*width*height, NULL color or rgb); MANDEL_ETOOBIG (the
 *            threads' scratch rows above MANDEL_OPT_MAX_MEMORY); MANDEL_ENOMEM;
 *            MANDEL_ETHREAD. */
MANDEL_API int mandel_values_resample_rgb(mandel_ctx *ctx, const mandel_resample *rs,
                                          const mandel_color *color, uint32_t aa,
                                          uint32_t width, uint32_t height, uint8_t *rgb,
                                          size_t rgb_bytes);

/* An RGB picture seen at another scale (mandel_rgb_area): as mandel_resample, destination
 * sample (q, r) is centred on source column x0 + q*step, row y0 + r*step, and covers a square
 * of side `step` source samples. */
typedef struct mandel_area {
    const uint8_t *src;            /* src_height rows of src_width sRGB samples (3 bytes) */
    uint32_t src_width, src_height;
    size_t src_stride;             /* bytes from one row to the next, >= 3*src_width */
    double x0, y0;                 /* where destination sample (0, 0) is centred */
    double step;                   /* source samples between destination samples, > 0 */
} mandel_area;

/*! mandel_rgb_area() :
 *  A width x height RGB picture (rows of 3*width bytes in `rgb`) from `area`: pixel (x, y)
 *  is made of the destination samples x*aa .. x*aa+aa-1 by y*aa .. y*aa+aa-1, that is of
 *  the source rectangle they cover, and is the mean in linear light of the source samples
 *  under it, each weighted by the part of it that is covered (a box filter: a pixel made
 *  from more source samples than aa x aa is anti-aliased by all of them). At step 1 from
 *  whole positions it is mandel_color_downsample()'s average of aa x aa samples, byte for
 *  byte. The frames of a zoom video are made this way from a coloured keyframe. Runs on
 *  the ctx's threads; the same bytes for any number.
 *  @return : MANDEL_OK; MANDEL_EINVAL (NULL, an empty size, aa outside 1..8, a step not
 *            above 0, rgb_bytes below 3*width*height, a covered rectangle reaching outside
 *            the source's samples); MANDEL_ENOMEM; MANDEL_ETHREAD. */
MANDEL_API int mandel_rgb_area(mandel_ctx *ctx, const mandel_area *area, uint32_t aa,
                               uint32_t width, uint32_t height, uint8_t *rgb, size_t rgb_bytes);

/* ------------------------------------------------------------------------------------- */
/* Image files                                                                           */

typedef enum {
    MANDEL_FORMAT_PNG = 1,  /* 8-bit RGB, deflated on the ctx's threads (zlib) */
    MANDEL_FORMAT_JPEG = 2, /* 8-bit RGB, through libjpeg(-turbo) */
    MANDEL_FORMAT_PPM = 3,  /* binary P6 */
    MANDEL_FORMAT_PGM = 4,  /* binary P5, 8-bit grey */
    MANDEL_FORMAT_PBM = 5,  /* binary P4, 1 bit: 1 (black) = interior */
    MANDEL_FORMAT_NPY = 6,  /* NumPy .npy, row-major: uint32 counts, or float32 values
                             * (mandel_image_options.npy_float) */
} mandel_format;

/* What a writer's rows are made of. */
typedef enum {
    MANDEL_PIXELS_RGB8 = 1,  /* 3 bytes a pixel */
    MANDEL_PIXELS_GRAY8 = 2, /* 1 byte a pixel */
    MANDEL_PIXELS_U32 = 3,   /* uint32 counts, host order */
    MANDEL_PIXELS_BIT1 = 4,  /* 8 pixels a byte, most significant bit first, each row
                              * padded to a byte; 1 = black (PBM's own layout) */
    MANDEL_PIXELS_F32 = 5,   /* float values, host order (NPY with npy_float) */
} mandel_pixels;

/*! mandel_format_from_path() : the format named by the file's extension (case-insensitive:
 *  .png .jpg .jpeg .ppm .pgm .pbm .npy). @return : MANDEL_OK or MANDEL_EFORMAT. */
MANDEL_API int mandel_format_from_path(const char *path, mandel_format *format);

/*! mandel_format_pixels() : the row layout mandel_image_write_rows() takes for a format. */
MANDEL_API mandel_pixels mandel_format_pixels(mandel_format format);

/*! mandel_pixels_row_bytes() : bytes of one row of `width` pixels in `layout`, or 0 if the
 *  layout is unknown. */
MANDEL_API size_t mandel_pixels_row_bytes(mandel_pixels layout, uint32_t width);

typedef struct mandel_image mandel_image;

/* The longest image comment, in bytes (NUL not counted): 1 MiB, room for a centre of
 * 100,000 digits a coordinate several times over. mandel_image_open() refuses a longer
 * comment and mandel_image_comment() a file that holds one, so a hostile file costs at
 * most this much memory. A JPEG comment above 65533 bytes (the COM marker's limit) is
 * written in several COM markers, joined in order when read back; a .npy whose header
 * outgrows 64 KiB is written in format version 2.0. */
#define MANDEL_COMMENT_MAX 1048576

typedef struct mandel_image_options {
    int jpeg_quality;      /* 1..100; 0 = default (90) */
    const char *comment;   /* text stored in the file where the format allows (PNG tEXt,
                            * JPEG COM, a '#' comment after the NPY header dict, which
                            * numpy.load ignores), or NULL; one line of at most
                            * MANDEL_COMMENT_MAX bytes (longer: MANDEL_ETOOBIG) */
    int npy_float;         /* NPY: 1 = float32 values (rows in MANDEL_PIXELS_F32) */
} mandel_image_options;

/*! mandel_image_open() :
 *  Starts writing a width x height image to `path` in `format`. The data goes to a
 *  temporary file in the same directory, which mandel_image_close() renames to `path` once
 *  complete; until then `path` is untouched. `options` may be NULL.
 *  @return : MANDEL_OK with *out set; MANDEL_EIO (directory missing or not writable, with
 *            the reason in mandel_errmsg); MANDEL_EINVAL; MANDEL_ETOOBIG (a size the format
 *            cannot hold, e.g. JPEG above 65500); MANDEL_ENOMEM; MANDEL_ETHREAD (PNG).
 *  A PNG is compressed on the ctx's thread pool (MANDEL_OPT_THREADS), so the ctx must not
 *  render on another thread meanwhile; its bytes are the same for any thread count and any
 *  batching of the rows. */
MANDEL_API int mandel_image_open(mandel_ctx *ctx, mandel_image **out, const char *path,
                                 mandel_format format, uint32_t width, uint32_t height,
                                 const mandel_image_options *options);

/*! mandel_write_fn :
 *  Where mandel_image_open_stream() sends the file's bytes: a pipe, a socket, a growing
 *  buffer in memory. It gets `len` bytes (len > 0, at most 64 KiB except when a writer hands
 *  over a bigger block at once), in file order, and must take them all before it returns.
 *  @return : 0 when all `len` bytes were taken; non-zero stops the image: a positive errno
 *            value (e.g. EPIPE) names the reason in mandel_errmsg(), any other value reads
 *            as "its writer failed". */
typedef int (*mandel_write_fn)(void *user, const void *bytes, size_t len);

/*! mandel_image_open_stream() :
 *  Starts writing a width x height image in `format`, as mandel_image_open() does, but
 *  hands the bytes to write(user, ...) instead of a file: for standard output, a socket,
 *  or encoding to memory. The bytes are buffered (up to 64 KiB) and given to `write` from
 *  mandel_image_open_stream(), mandel_image_write_rows() and mandel_image_close(), on the
 *  calling thread, never two at once; after mandel_image_close() returns MANDEL_OK the
 *  writer has had every byte of a complete file and is never called again. Nothing can be
 *  renamed into place here: after a failure or mandel_image_abort() the bytes already
 *  written stay written (a half file on a pipe), and the caller discards them.
 *  mandel_image_temp_path() is NULL for such an image. The library never closes or frees
 *  anything of `user`. `options` may be NULL.
 *  @return : MANDEL_OK with *out set; MANDEL_EINVAL (NULL ctx, out or write, and as
 *            mandel_image_open); MANDEL_EFORMAT; MANDEL_ETOOBIG; MANDEL_ENOMEM; MANDEL_EIO
 *            (the writer failed already on the header). Once `write` has failed, every later
 *            call on the image answers MANDEL_EIO with the same message, without calling it. */
MANDEL_API int mandel_image_open_stream(mandel_ctx *ctx, mandel_image **out,
                                        mandel_write_fn write, void *user, mandel_format format,
                                        uint32_t width, uint32_t height,
                                        const mandel_image_options *options);

/*! mandel_image_pixels() : the row layout this image takes (mandel_format_pixels, or F32
 *  for an NPY opened with npy_float). */
MANDEL_API mandel_pixels mandel_image_pixels(const mandel_image *image);

/*! mandel_image_write_rows() :
 *  Appends n_rows tightly packed rows in the image's mandel_image_pixels() layout.
 *  @return : MANDEL_OK, MANDEL_EINVAL (more rows than the image has), MANDEL_EIO. */
MANDEL_API int mandel_image_write_rows(mandel_image *image, const void *rows, uint32_t n_rows);

/*! mandel_image_close() :
 *  Finishes the file and renames it into place (a stream: hands the last bytes to its
 *  writer); frees the image in every case. Fails with MANDEL_EINVAL if fewer rows than the
 *  height were written (the temporary is removed).
 *  @return : MANDEL_OK, MANDEL_EINVAL, MANDEL_EIO. */
MANDEL_API int mandel_image_close(mandel_image *image);

/*! mandel_image_temp_path() : the temporary file being written, for a signal handler that
 *  must remove it (unlink is async-signal-safe; this library's calls are not). Owned by
 *  the image; valid until close or abort. The temporary exists until mandel_image_close()
 *  renames it, and that rename is the last thing close does to it: a handler that unlinks
 *  this path at any moment before close returns leaves either no file or the complete one
 *  (unlink then fails with ENOENT). On Linux the temporary usually has no name at all
 *  until close gives it this one just before the rename (O_TMPFILE), so a process killed
 *  outright leaves nothing either; unlinking the path before then finds no file. NULL for
 *  a stream (mandel_image_open_stream). */
MANDEL_API const char *mandel_image_temp_path(const mandel_image *image);

/*! mandel_image_comment() :
 *  Reads back the comment of a PNG (tEXt "Comment"), JPEG (its COM markers, joined) or
 *  .npy (after the header dict) file, such as the command line mandel wrote into it, into
 *  buf (NUL-terminated, at most len bytes; MANDEL_COMMENT_MAX + 1 always suffices). The
 *  text is returned as stored: it may hold any byte but NUL, so escape it before showing
 *  it on a terminal.
 *  @return : MANDEL_OK; MANDEL_EIO (cannot open); MANDEL_EFORMAT (another format,
 *            unreadable, no comment); MANDEL_ETOOBIG (longer than len - 1, or a comment
 *            or PNG chunk above MANDEL_COMMENT_MAX). */
MANDEL_API int mandel_image_comment(mandel_ctx *ctx, const char *path, char *buf, size_t len);

/* Data read back from a .npy file (2-D, C order, '<u4' or '<f4'). */
typedef struct mandel_npy mandel_npy;

/*! mandel_npy_parse() :
 *  Parses the bytes of a .npy file: version 1.0 or 2.0, a 2-D C-ordered array of
 *  little-endian uint32 or float32, optionally followed in the header by mandel's
 *  "# command line" comment. The data size must match the shape exactly and the shape
 *  stay within MANDEL_OPT_MAX_PIXELS.
 *  @return : MANDEL_OK with *out set (free with mandel_npy_free); MANDEL_EFORMAT (with the
 *            problem in mandel_errmsg); MANDEL_ETOOBIG; MANDEL_ENOMEM; MANDEL_EINVAL. */
MANDEL_API int mandel_npy_parse(mandel_ctx *ctx, const void *bytes, size_t len,
                                mandel_npy **out);

/*! mandel_npy_read() : mandel_npy_parse() on a file; MANDEL_EIO if it cannot be read. */
MANDEL_API int mandel_npy_read(mandel_ctx *ctx, const char *path, mandel_npy **out);

/*! mandel_npy_get() : the array's size, type (is_float: 1 for float32, 0 for uint32),
 *  values (width*height, row-major, host order) and comment ("" if none); owned by the
 *  npy. Any output pointer may be NULL. */
MANDEL_API void mandel_npy_get(const mandel_npy *npy, uint32_t *width, uint32_t *height,
                               int *is_float, const void **data, const char **comment);

/*! mandel_npy_free() : NULL is a no-op. */
MANDEL_API void mandel_npy_free(mandel_npy *npy);

/*! mandel_image_abort() : removes the temporary file and frees the image. NULL is a no-op. */
MANDEL_API void mandel_image_abort(mandel_image *image);

/* ------------------------------------------------------------------------------------- */
/* Pictures: a description set by option names, and the whole pipeline to an image       */

/* A picture's description: the options of `mandel render` that say what a picture is and
 * how it is computed, set one by one by their long names and in their value grammar,
 * whatever the source: a command line, a picture's comment (--from, `mandel colour`), a
 * URL's query (`mandel serve`), Python keywords. So every front end makes the same bytes
 * from the same words. One spec belongs to one thread at a time. */
typedef struct mandel_spec mandel_spec;

/* Kinds of options (mandel_spec_option_info), bits. */
#define MANDEL_SPEC_PICTURE 1u /* says what the picture shows: may come from a stranger */
#define MANDEL_SPEC_MACHINE 2u /* how it is computed (threads, engine, isa, no-shortcuts):
                                * the same picture either way, or meant for checking */
#define MANDEL_SPEC_PATH 4u    /* names a file to read (location): never from a stranger */
#define MANDEL_SPEC_FLAG 8u    /* takes no value (guess, no-shortcuts) */

/*! mandel_spec_new() :
 *  A spec with every option at its default (`mandel render`'s: centre -0.75,0, radius
 *  1.25, 1200x800, 1000 iterations, palette "default"). Its failures are told on `ctx`
 *  (mandel_errmsg), which must outlive it; its memory comes from ctx's allocator.
 *  @return : MANDEL_OK with *out set (free with mandel_spec_free), MANDEL_EINVAL (NULL),
 *            MANDEL_ENOMEM. */
MANDEL_API int mandel_spec_new(mandel_ctx *ctx, mandel_spec **out);

/*! mandel_spec_free() : NULL is a no-op. */
MANDEL_API void mandel_spec_free(mandel_spec *spec);

/*! mandel_spec_option_info() :
 *  Option `index` (0, 1, ... until MANDEL_EINVAL): its long name ("size", "center", ...,
 *  static storage) and kind (MANDEL_SPEC_* bits). The options are size, iterations,
 *  center, radius, zoom, bounds, palette, interior, color, formula, power, julia,
 *  palette-period, palette-offset, npy, aa, guess (PICTURE); location (PATH); threads,
 *  engine, isa, no-shortcuts (MACHINE). "centre" and "colour" are taken as other spellings
 *  of center and color. How a picture file is written (-o, --format, --quality) is not the
 *  spec's: it belongs to the mandel_image.
 *  @return : MANDEL_OK, or MANDEL_EINVAL past the last option. */
MANDEL_API int mandel_spec_option_info(int index, const char **name, unsigned *kind);

/*! mandel_spec_option_kind() : the kind of option `name` (any spelling).
 *  @return : MANDEL_OK, or MANDEL_EINVAL for a name that is no option. */
MANDEL_API int mandel_spec_option_kind(const char *name, unsigned *kind);

/*! mandel_spec_set() :
 *  Sets option `name` (its long name without "--", or another spelling) to `value`, text
 *  in the grammar of `mandel render --help` ("-0.75,0", "1e-10", "640x480", "#102030");
 *  a flag takes NULL or "". The value is checked at once; the whole (radius with zoom,
 *  the view, the palette file) by mandel_spec_check(). A centre, radius or zoom of any
 *  length and depth is kept as text, every digit. A palette that is no built-in name is a
 *  gradient file, which must exist. Setting an option again replaces its value.
 *  @return : MANDEL_OK; MANDEL_EINVAL with the CLI's one-line message in mandel_errmsg,
 *            "--NAME 'VALUE': REASON" (e.g. "--size '0x4': width must be 1..65535"), or
 *            "unknown option '--NAME'", "--NAME: takes no value", "--NAME: missing value";
 *            MANDEL_ENOMEM. The spec is unchanged by a failure. */
MANDEL_API int mandel_spec_set(mandel_spec *spec, const char *name, const char *value);

/*! mandel_spec_set_untrusted() :
 *  mandel_spec_set() for a stranger's words (a picture's comment, a URL's query, a web
 *  form): refuses every option that is not MANDEL_SPEC_PICTURE (threads, engine, isa,
 *  no-shortcuts, location) and a palette that is not a built-in name (a file), with
 *  MANDEL_EINVAL and the option named in mandel_errmsg. Resource limits (size, iterations,
 *  digits) are the caller's to add on top: see mandel_spec_geometry() and
 *  MANDEL_OPT_MAX_MEMORY, MANDEL_OPT_MAX_PIXELS, MANDEL_OPT_MAX_ITER. */
MANDEL_API int mandel_spec_set_untrusted(mandel_spec *spec, const char *name,
                                         const char *value);

/*! mandel_spec_get() : the text option `name` was set to ("" for a flag), or NULL if it
 *  was not set (or is no option). Owned by the spec, valid until that option is set
 *  again or the spec is freed. */
MANDEL_API const char *mandel_spec_get(const mandel_spec *spec, const char *name);

/*! mandel_spec_geometry() : the picture's width and height in pixels, anti-aliasing
 *  factor and iteration limit (a location's, read by mandel_spec_check, unless iterations
 *  was set). Any output pointer may be NULL. */
MANDEL_API void mandel_spec_geometry(const mandel_spec *spec, uint32_t *width,
                                     uint32_t *height, uint32_t *aa, uint32_t *iterations);

/*! mandel_spec_describe() :
 *  The command line that makes this picture again, as `mandel render` writes it into a
 *  picture's comment: "mandel render --center RE,IM --radius R --size WxH --iterations N"
 *  (or --bounds ..., or --zoom Z instead of --radius; a location's centre and zoom), then
 *  each picture option that differs from its default, each value a POSIX shell word
 *  (mandel_words_quote). Never a machine or path option. Reads the location first, if
 *  one was set. *text is owned by the spec, valid until the next call on it.
 *  @return : MANDEL_OK, MANDEL_EINVAL (NULL), MANDEL_EIO (the location), MANDEL_ENOMEM. */
MANDEL_API int mandel_spec_describe(mandel_spec *spec, const char **text);

/*! mandel_spec_check() :
 *  Checks the spec as a whole for a picture in `format`, with the CLI's messages: options
 *  that exclude each other (radius and zoom; bounds with a centre; location with a view),
 *  what the format cannot hold (--npy but not .npy, --aa for .pbm or .npy, JPEG above 65500
 *  a side), the kernel this CPU lacks, the location file, the view, a formula beyond
 *  double precision, the gradient file, and the memory the picture's buffers need against
 *  the spec ctx's MANDEL_OPT_MAX_MEMORY. mandel_picture_write() checks the same; this lets
 *  a caller refuse before it opens a file.
 *  @return : MANDEL_OK; MANDEL_EINVAL (a usage error); MANDEL_EISA; MANDEL_EIO and
 *            MANDEL_EFORMAT (a file); MANDEL_ETOOBIG (memory, depth); MANDEL_ENOMEM. */
MANDEL_API int mandel_spec_check(mandel_spec *spec, mandel_format format);

/*! mandel_spec_view() : the view the picture samples (aa times its size each way), made
 *  by mandel_spec_check() or now; owned by the spec, valid until an option is set again or
 *  the spec is freed. @return : as mandel_spec_check. */
MANDEL_API int mandel_spec_view(mandel_spec *spec, const mandel_view **view);

/*! mandel_spec_color() : the colour settings the picture is coloured with (palette or
 *  gradient file, period, offset, interior, the iteration limit; the mapping before a
 *  --color histogram or log replaces it), made by mandel_spec_check() or now.
 *  @return : as mandel_spec_check. */
MANDEL_API int mandel_spec_color(mandel_spec *spec, mandel_color *out);

/*! mandel_spec_apply() : sets on `ctx` what the spec says of the computation: formula,
 *  power, Julia parameter, guessing, and the machine options that were set (threads,
 *  engine, isa, shortcuts; others are left as the ctx has them).
 *  @return : MANDEL_OK, MANDEL_EINVAL, MANDEL_EISA ("--isa 'NAME': this CPU or build
 *            lacks it"). */
MANDEL_API int mandel_spec_apply(const mandel_spec *spec, mandel_ctx *ctx);

/*! mandel_picture_write() :
 *  Renders the spec's picture and writes every row of `image` (opened width x height of
 *  the spec, in any format: a file or a stream), band by band: rows of about a million
 *  samples are rendered, coloured on the worker threads as they finish (palette, colouring
 *  mode, interior, period and offset; grey for PGM, bits for PBM, counts or float values
 *  for .npy as --npy says), anti-aliased (aa x aa samples a pixel, averaged in linear
 *  light) and handed to the image. Memory is bounded by the band, except for colourings
 *  that need the whole field first (the matplotlib maps' range, histogram, log), which keep
 *  the field. The bytes are those of `mandel render` with the same options, for any thread
 *  count. The caller closes the image (mandel_image_close) after MANDEL_OK, or aborts it.
 *  The spec's settings are applied to ctx (mandel_spec_apply); ctx's progress callback is
 *  told of the whole picture (MANDEL_PHASE_ORBIT, then MANDEL_PHASE_PIXELS with done and
 *  total counting samples of the whole picture, MANDEL_PHASE_WRITE around each band) and
 *  cancels by a non-zero return; ctx's sink, callback and MANDEL_OPT_MAX_MEMORY are its
 *  own again afterwards. mandel_ctx_stats() then gives the totals of the picture's renders.
 *  @return : MANDEL_OK; as mandel_spec_check(); MANDEL_EINVAL also for an image whose size
 *            or layout (npy_float) is not the spec's; as mandel_render_fields() and
 *            mandel_image_write_rows(); MANDEL_ECANCELED. */
MANDEL_API int mandel_picture_write(mandel_ctx *ctx, mandel_spec *spec, mandel_image *image);

/*! mandel_picture_colour() :
 *  mandel_picture_write() from saved data instead of rendering (`mandel colour`): `npy`
 *  holds what the spec's --npy says (counts, smooth values or distances) of its size, and
 *  is coloured as the spec says (counts coloured smooth are coloured by count, smooth values
 *  by count are coloured smooth), pixel for pixel what mandel_picture_write() makes.
 *  @return : as mandel_picture_write; MANDEL_EINVAL ("the data holds 20x10 values, not the
 *            30x10 of --size", "the data holds distances: colour it with --color
 *            distance", "--aa: saved data cannot be anti-aliased"); MANDEL_EFORMAT ("the
 *            data holds float32, but its command line says --npy counts"). */
MANDEL_API int mandel_picture_colour(mandel_ctx *ctx, mandel_spec *spec, const mandel_npy *npy,
                                     mandel_image *image);

/* Pictures rendered elsewhere: a front end that spreads a picture's rows over processes
 * or machines (mandel-mpi) renders them with mandel_picture_render() wherever it likes and
 * feeds them, in order, to mandel_picture_write_rows(), which colours, anti-aliases and
 * writes them as mandel_picture_write() does: the same bytes. (Added in 0.1.) */

/*! mandel_picture_needs() :
 *  Which fields the picture of `spec` in `format` is coloured from: counts always; *smooth
 *  = 1 when it needs smooth values, *distance = 1 when it needs distances (else 0). Either
 *  pointer may be NULL.
 *  @return : as mandel_spec_check(). */
MANDEL_API int mandel_picture_needs(mandel_spec *spec, mandel_format format, int *smooth,
                                    int *distance);

/*! mandel_picture_render() :
 *  Renders picture rows y..y+rows-1 of the spec's picture in `format` exactly as
 *  mandel_picture_write() renders them: their aa*rows sample rows of aa*width samples
 *  (mandel_spec_geometry's aa and width; sample row k of the band at fields->counts + k *
 *  fields->stride) into `fields`: the counts, and the smooth values and distances when
 *  mandel_picture_needs() says the picture needs them (those pointers must then be set;
 *  others are ignored and not written). The fields are the pipeline's bit for bit for any
 *  y, rows and thread count, so rows rendered by several processes and handed to
 *  mandel_picture_write_rows() make mandel_picture_write()'s bytes. The spec's settings
 *  are applied to ctx (mandel_spec_apply); ctx's progress callback and sink apply as in
 *  mandel_render_fields().
 *  @return : MANDEL_OK; as mandel_spec_check(); MANDEL_EINVAL also for rows 0, rows beyond
 *            the height, a field the picture needs that is NULL, a stride below aa*width or
 *            a capacity below (aa*rows - 1) * stride + aa*width; as mandel_render_fields(). */
MANDEL_API int mandel_picture_render(mandel_ctx *ctx, mandel_spec *spec, mandel_format format,
                                     uint32_t y, uint32_t rows, const mandel_fields *fields);

/*! A row source for mandel_picture_write_rows(): fills picture rows y..y+rows-1 of the
 *  picture (its aa*rows sample rows, stride and capacity in `fields`) with what
 *  mandel_picture_render() gives for them: counts, and smooth values and distances where
 *  those pointers are not NULL. Returns 0, or non-zero to stop the picture. */
typedef int (*mandel_rows_fn)(void *user, uint32_t y, uint32_t rows, const mandel_fields *fields);

/*! mandel_picture_write_rows() :
 *  mandel_picture_write() with the rendering done by `source`: for each band of the
 *  picture's rows in order (y = 0 first, each band's y the previous one's y + rows, about a
 *  million samples a band, the last band ending at the height), the pipeline calls
 *  source(user, y, rows, fields) on the calling thread, then colours, anti-aliases and
 *  writes the band (on the calling thread). Given the fields mandel_picture_render() makes,
 *  the image's bytes are mandel_picture_write()'s. Memory is bounded by the band, as there
 *  (colourings that need the whole field keep it: the source then fills the whole field,
 *  band by band, before any row is written). ctx's phase callback sees MANDEL_PHASE_WRITE
 *  around each band (and may cancel); no render runs on ctx.
 *  @return : as mandel_picture_write(); MANDEL_EINVAL also for a NULL source;
 *            MANDEL_ECANCELED ("stopped by the row source") when the source returns
 *            non-zero, the image then holding the rows of the bands before. */
MANDEL_API int mandel_picture_write_rows(mandel_ctx *ctx, mandel_spec *spec, mandel_image *image,
                                         mandel_rows_fn source, void *user);

/* Pictures coloured a piece at a time: a tile server renders a view's tiles (tile views
 * of one anchor, mandel_view_new_tile) and colours each as the whole picture would be
 * coloured, so the tiles put together are mandel_picture_write()'s pixels. (Added in 0.1.) */

/*! mandel_picture_period() :
 *  The period the spec's picture (in colour, aa 1) is coloured with: the palette's or the
 *  one given (--palette-period), or, for a cycling palette with none given, the one
 *  mandel_picture_write() takes from the view's lattice of MANDEL_PERIOD_LATTICE squared
 *  samples (mandel_color_auto_period): read from `whole`, the whole view's values when the
 *  caller has them (the smooth values, or the counts when mandel_picture_needs() names no
 *  smooth values; rows packed: stride = width), else rendered on ctx in `view`, a view of
 *  the spec's size and place (the spec's own, or an equal one, such as a tile of an anchor
 *  that covers it all: its pixels are the anchor's). With both NULL nothing is rendered
 *  and *period is NaN where the lattice would decide it (ctx may then be NULL).
 *  @return : MANDEL_OK; MANDEL_EINVAL for colourings that need the whole picture's values
 *            (a matplotlib map's range, histogram, log: "--color histogram with palette
 *            'default': colours by the range of the whole picture, not piece by piece"),
 *            aa above 1, a view of another size, or values missing or of another layout;
 *            as mandel_spec_check(); as mandel_render_fields(). */
MANDEL_API int mandel_picture_period(mandel_ctx *ctx, mandel_spec *spec, const mandel_view *view,
                                     const mandel_fields *whole, double *period);

/*! mandel_picture_colour_rows() :
 *  Colours `rows` rows of `width` samples of the spec's picture into rows of 3 * width
 *  bytes of RGB (tightly packed): the bytes mandel_picture_write() gives those pixels,
 *  where the picture's period is `period` (mandel_picture_period()'s, for the whole view).
 *  `fields` holds the rows (stride, capacity) of the one field the colouring reads: the
 *  smooth values or distances when mandel_picture_needs() names them, else the counts;
 *  the others may be NULL. The fields may be any rect of the view (a tile), rendered with
 *  the spec's iteration limit. Refuses as mandel_picture_period().
 *  @return : MANDEL_OK; MANDEL_EINVAL (as above, a NULL field it reads, fields too small, a
 *            period not above 0 where the lattice decides it); as mandel_spec_check(). */
MANDEL_API int mandel_picture_colour_rows(mandel_spec *spec, double period,
                                          const mandel_fields *fields, uint32_t width,
                                          uint32_t rows, uint8_t *rgb);

/*! mandel_words_quote() :
 *  `word` as a POSIX shell word: unchanged if it is made of letters, digits and _@%+=:,./-
 *  only (and not empty), else in single quotes with each ' written '\''. Writes it into
 *  out (NUL-terminated) when len is more than its length, as snprintf does.
 *  @return : its length, NUL not counted. */
MANDEL_API size_t mandel_words_quote(const char *word, char *out, size_t len);

/*! mandel_words_split() :
 *  Splits `text` in place into at most max_words words, as a POSIX shell would read it:
 *  blanks separate words; '...' keeps its text; "..." keeps its text but for \\ \" \$ \`;
 *  a backslash outside quotes keeps the next character. Text a shell would read otherwise
 *  is refused: control characters, bytes that are not UTF-8, unquoted $ ` ; & | < > ( ) * ?
 *  [ and a ~ that starts a word, $ and ` inside "...", an open quote. (A # that starts a
 *  word is kept as text: pictures written before the words were quoted carry
 *  '--interior #rrggbb' bare.) (strlen(text) + 1) / 2 words is always enough. Whatever it
 *  accepts, a shell reads as the same words, and words joined by spaces after
 *  mandel_words_quote() come back unchanged.
 *  @return : the number of words, or -1 with a short reason in *why (static storage). */
MANDEL_API long mandel_words_split(char *text, char **words, size_t max_words,
                                   const char **why);

/*! mandel_words_escape() :
 *  `text` for a terminal: \n, \t, \r, other bytes below 0x20, 0x7f, the C1 controls
 *  (U+0080..U+009F) and bytes that are not UTF-8 become \n \t \r or \xHH; the rest is kept.
 *  Writes at most out_len bytes (NUL included), ending in "..." when cut. */
MANDEL_API void mandel_words_escape(const char *text, char *out, size_t out_len);

/* Bytes mandel_words_escape() needs for `len` bytes of text never to cut, NUL included. */
#define MANDEL_ESCAPED_MAX(len) (4 * (len) + 1)

#ifdef __cplusplus
}
#endif

#endif /* MANDEL_H */
