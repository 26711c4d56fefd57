/*
 * cli/progress.c - the progress bar: drawn on stderr after half a second of work, only
 * when stderr is a terminal, erased when the work ends.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 40
#define SHOW_AFTER_SECONDS 0.5

double progress_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_init(progress *p, bool quiet, uint64_t total, const char *label)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->shown = false;
    p->start = progress_now();
    p->done_before = 0;
    p->total = total;
    p->label = label;
}

int progress_update(void *user, uint64_t done, uint64_t band_total)
{
    progress *const p = user;
    (void)band_total;
    if (!p->enabled) return 0;
    double const elapsed = progress_now() - p->start;
    if (elapsed < SHOW_AFTER_SECONDS) return 0;
    double const frac = p->total ? (double)(p->done_before + done) / (double)p->total : 1;
    int const filled = (int)(frac * BAR_WIDTH);
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%s [%s] %3d%%  %.1f s ", p->label, bar, (int)(frac * 100), elapsed);
    fflush(stderr);
    p->shown = true;
    return 0;
}

void progress_done(progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        p->shown = false;
    }
}
