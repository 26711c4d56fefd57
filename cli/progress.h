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
    uint64_t done_before;  /* pixels of the image finished in earlier bands */
    uint64_t total;        /* pixels of the whole image */
    const char *label;
    bool orbit_seen;       /* a reference orbit was reported: the pixel pass says "pixels" */
} progress;

void progress_init(progress *p, bool quiet, uint64_t total, const char *label);
/* A mandel_progress_fn: draws the bar; never cancels. */
int progress_update(void *user, uint64_t done, uint64_t band_total);
/* A mandel_phase_progress_fn: "reference orbit [###...] 40%" while the deep engine computes
 * its reference orbit (its iterations), then "pixels [#.....]" (the image's pixels), or
 * the label alone when there is no orbit phase; never cancels. */
int progress_phase_update(void *user, mandel_phase phase, uint64_t done, uint64_t total);
void progress_done(progress *p);
double progress_now(void);

#endif /* MANDEL_CLI_PROGRESS_H */
