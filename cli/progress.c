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
    p->orbit_seen = false;
}

/* Draws `label [###...] NN%` for a fraction of the work, after SHOW_AFTER_SECONDS. */
static void draw(progress *p, const char *label, double frac)
{
    double const elapsed = progress_now() - p->start;
    if (elapsed < SHOW_AFTER_SECONDS) return;
    if (frac > 1) frac = 1;
    int const filled = (int)(frac * BAR_WIDTH);
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    /* labels padded to one width, so that the bar stays put when the phase changes */
    fprintf(stderr, "\r%-15s [%s] %3d%%  %.1f s ", label, bar, (int)(frac * 100), elapsed);
    fflush(stderr);
    p->shown = true;
}

int progress_update(void *user, uint64_t done, uint64_t band_total)
{
    progress *const p = user;
    (void)band_total;
    if (!p->enabled) return 0;
    draw(p, p->label, p->total ? (double)(p->done_before + done) / (double)p->total : 1);
    return 0;
}

int progress_phase_update(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    progress *const p = user;
    if (phase == MANDEL_PHASE_ORBIT) {
        p->orbit_seen = true;
        if (p->enabled) draw(p, "reference orbit", total ? (double)done / (double)total : 1);
        return 0;
    }
    if (!p->enabled) return 0;
    draw(p, p->orbit_seen ? "pixels" : p->label,
         p->total ? (double)(p->done_before + done) / (double)p->total : 1);
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
