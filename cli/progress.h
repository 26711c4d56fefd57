/*
 * cli/progress.h - a progress bar on stderr, shown only on a terminal for long work.
 */
#ifndef MANDEL_CLI_PROGRESS_H
#define MANDEL_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
    bool enabled;          /* stderr is a terminal and --quiet was not given */
    bool shown;            /* something was drawn and must be cleared */
    double start;
    uint64_t done_before;  /* pixels of the image finished in earlier bands */
    uint64_t total;        /* pixels of the whole image */
    const char *label;
} progress;

void progress_init(progress *p, bool quiet, uint64_t total, const char *label);
/* A mandel_progress_fn: draws the bar; never cancels. */
int progress_update(void *user, uint64_t done, uint64_t band_total);
void progress_done(progress *p);
double progress_now(void);

#endif /* MANDEL_CLI_PROGRESS_H */
