/*
 * cli/progress.h - a progress bar on stderr, shown only on a terminal for long work.
 */
#ifndef MANDEL_CLI_PROGRESS_H
#define MANDEL_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "mandel.h"

typedef struct progress {
    bool enabled;          /* stderr is a terminal and --quiet was not given */
    bool shown;            /* something was drawn and must be cleared */
    double start;
    double last_draw;
    uint64_t done_before;  /* samples finished in earlier renders of the job (zoom) */
    uint64_t total;        /* samples of the whole render (pixels x aa^2) */
    uint64_t rendered;     /* samples rendered so far */
    double written;        /* the fraction of the file written, 0..1 */
    double write_seconds;  /* spent writing so far */
    double write_start;
    bool writing;          /* between the two MANDEL_PHASE_WRITE calls of a band */
    const char *label;
    bool orbit_seen;       /* a reference orbit was reported: the pixel pass says "pixels" */
} progress;

void progress_init(progress *p, bool quiet, uint64_t total, const char *label);
/* A mandel_progress_fn: draws the bar; never cancels. */
int progress_update(void *user, uint64_t done, uint64_t band_total);
/* A mandel_phase_progress_fn: "reference orbit [###...] 40%" while the deep engine computes
 * its reference orbit (its iterations), then "pixels [#.....]" (done_before + done of the
 * total), or the label alone when there is no orbit phase; with mandel_picture_write, the
 * time between the two MANDEL_PHASE_WRITE calls of a band counts as writing. The bar says
 * "writing" once the render is complete. Never cancels. */
int progress_phase_update(void *user, mandel_phase phase, uint64_t done, uint64_t total);
/* Around each write to the file: its time counts as writing; `written` is the fraction of
 * the file written after it. */
void progress_write_begin(progress *p);
void progress_write_end(progress *p, double written);
/* The fraction of the whole job done at `now`, and in *left the seconds left (-1: not
 * known yet): each part's pace so far applied to what remains of it. */
double progress_estimate(const progress *p, double now, double *left);
void progress_done(progress *p);
double progress_now(void);

#endif /* MANDEL_CLI_PROGRESS_H */
