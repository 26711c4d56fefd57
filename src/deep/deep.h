/*
 * deep/deep.h - the deep-zoom engines as the rest of the library sees them: views of any
 * depth, perturbation with rebasing and bilinear approximation, and a brute-force MPFR
 * engine. MPFR lives only in src/deep/; nothing here exposes its types.
 */
#ifndef MANDEL_DEEP_H
#define MANDEL_DEEP_H

#include "mandel_internal.h"
#include "sched.h"

/* A view's handle on the deep state it shares with every tile of its anchor (centre, step,
 * reference orbits and BLA tables, by reference count), and where it lies in the anchor. */
typedef struct deep_view deep_view;

/* Parses the whole of `text` as a decimal (or 0x hexadecimal) number of any magnitude and
 * any number of digits. On success *mant * 2^*exp2 is the value rounded to 53 bits
 * (0.5 <= |*mant| < 1, or *mant = 0). False for malformed text, NaN and infinities. */
bool deep_number_parse(const char *text, double *mant, int64_t *exp2);

/* Why deep_number_parse() refused `text`, or that it read it as 0 although it is not:
 * DEEP_NUMBER_HUGE and DEEP_NUMBER_TINY are well-formed numbers whose magnitude is beyond
 * MPFR's exponent range (about 10^+-323228496), DEEP_NUMBER_BAD is malformed text, NaN or
 * an infinity; DEEP_NUMBER_OK anything else. For messages that say what is wrong. */
typedef enum { DEEP_NUMBER_OK, DEEP_NUMBER_BAD, DEEP_NUMBER_HUGE, DEEP_NUMBER_TINY } deep_number;
deep_number deep_number_classify(const char *text);

/* The precision a view needs is capped (2^26 bits: 8 MiB a number, the orbit's cost grows
 * with it): pixels at most 2^(64 - DEEP_MAX_PREC) wide around a centre within +-1. */
#define DEEP_MAX_PREC (INT64_C(1) << 26)

/* log10 of the deepest zoom (radius 2/zoom) of a view `height` pixels high around a centre
 * within +-1 that the deep engines render: about 20201781 less log10(height). */
double deep_max_zoom_log10(uint32_t height);

/* The radius 2/zoom as decimal text into buf (at least 64 bytes), for zoom text of any
 * magnitude. A zoom whose radius is a normal double is printed as "%.17g" of 2.0/zoom in
 * double, exactly what a caller doing that division itself would pass. Returns false if
 * `zoom` is malformed or not positive. */
bool deep_radius_from_zoom(const char *zoom, char *buf, size_t size);

/* Builds the deep state of a width x height view centred on re + im*i whose half-height is
 * `radius` (all already checked with deep_number_parse; radius > 0). Memory comes from
 * ctx's allocator and is kept, with the orbit cache, until deep_view_free(). */
int deep_view_new(mandel_ctx *ctx, uint32_t width, uint32_t height, const char *re,
                  const char *im, const char *radius, deep_view **out);

/* The deep state of a width x height tile of `anchor` whose pixel (i, k) is the anchor's
 * (col0 + i, row0 + k), anywhere (|col0|, |row0| below 2^32): it shares the anchor's
 * centre, step, orbits and tables (the anchor may be freed first). Its pixels inside the
 * anchor's rectangle use the anchor's own BLA table, so they equal the anchor's; the others
 * a table for the smallest power-of-two reach class that covers the tile. Pixels beyond
 * the anchor lose at most log2(their distance in pixels) of the 64 guard bits. */
int deep_view_new_tile(mandel_ctx *ctx, const deep_view *anchor, int64_t col0, int64_t row0,
                       uint32_t width, uint32_t height, deep_view **out);

/* Copies the reference orbit `donor` keeps for max_iter (and ctx's formula) into the state
 * `dv` shares with its anchor and tiles, as if computed there, so that their next render
 * with max_iter builds only its BLA tables (an orbit already computed there, or one in
 * use, is kept instead). The caller has checked that both views have the same centre text.
 * MANDEL_EINVAL when donor keeps no orbit for max_iter, has less precision than dv, or
 * lacks the floatexp values dv needs; MANDEL_ETOOBIG above ctx's memory limit;
 * MANDEL_ENOMEM. */
int deep_view_adopt_orbit(mandel_ctx *ctx, deep_view *dv, deep_view *donor, uint32_t max_iter);

/* How far the shared preparation for max_iter has come (mandel_view_prepared). */
void deep_view_progress(const deep_view *dv, uint32_t max_iter, mandel_phase *phase,
                        uint64_t *done, uint64_t *total);

/* Drops the view's hold on the shared state (freed with the last); NULL is a no-op. */
void deep_view_free(deep_view *dv);

/* Renders `rect` of the view with the perturbation engine (`brute` false) or the MPFR
 * engine (`brute` true) on `pool` with `threads` threads, as mandel_render_fields()
 * describes (counts, smooth values, distances in pixels: any of `fields`, the others NULL;
 * distances for z^2 + c only), iterating `formula` (any formula and power, not a Julia
 * set); the reference orbit and BLA table are built on the first render with a given
 * max_iter and formula of any view sharing the state, once, under its lock, reporting
 * MANDEL_PHASE_ORBIT to the ctx's callback; renders that need them meanwhile wait,
 * reporting the same phase, and may cancel their wait. The pixel passes of any number of
 * renders then run at once. `progress` (may be NULL) gets the pixel pass. Sets the
 * iterations of *stats, and with PERTURB its orbit, BLA and pixel-pass fields; leaves the
 * rest. Returns MANDEL_OK, MANDEL_ENOMEM or MANDEL_ECANCELED (with a message on ctx). */
int deep_render(mandel_ctx *ctx, sched_pool *pool, uint32_t threads, deep_view *dv,
                bool brute, const formula_params *formula, uint32_t max_iter, mandel_rect rect,
                const mandel_fields *fields, mandel_progress_fn progress, void *progress_user,
                mandel_stats *stats);

#endif /* MANDEL_DEEP_H */
