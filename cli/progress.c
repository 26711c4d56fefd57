/*
 * cli/progress.c - the progress bar: drawn on stderr after half a second of work, only
 * when stderr is a terminal, erased when the work ends.
 *
 * The bar covers the whole job, the render and the writing of the file, and says how long
 * is left. Each part is timed as it goes (writing is what happens between the two
 * MANDEL_PHASE_WRITE calls of a band, rendering the rest), and the time left is each part's pace
 * so far applied to what remains of it; until the first write, writing is guessed to take
 * as long as the render.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 40
#define SHOW_AFTER_SECONDS 0.5
#define REDRAW_SECONDS 0.1

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
    p->last_draw = 0;
    p->done_before = 0;
    p->writing = false;
    p->total = total;
    p->rendered = 0;
    p->written = 0;
    p->write_seconds = 0;
    p->write_start = 0;
    p->label = label;
    p->orbit_seen = false;
}

double progress_estimate(const progress *p, double now, double *left)
{
    double const elapsed = now - p->start;
    double const tw = p->write_seconds, tr = elapsed > tw ? elapsed - tw : 0;
    double fr = p->total ? (double)p->rendered / (double)p->total : 1;
    if (fr > 1) fr = 1;
    double const fw = p->written;
    *left = -1;
    if (fr <= 0) return 0;
    double const render_all = tr / fr;  /* the whole render at its pace so far */
    double const write_all = fw > 0 ? tw / fw : render_all;
    double const remaining = render_all * (1 - fr) + write_all * (1 - fw);
    *left = remaining;
    return tr + tw + remaining > 0 ? (tr + tw) / (tr + tw + remaining) : 0;
}

/* Draws `label [###...] NN%  T s, L s left` for a fraction of the work, after
 * SHOW_AFTER_SECONDS, at most every REDRAW_SECONDS. */
static void draw(progress *p, const char *label, double frac, double left)
{
    double const now = progress_now();
    double const elapsed = now - p->start;
    if (elapsed < SHOW_AFTER_SECONDS || now - p->last_draw < REDRAW_SECONDS) return;
    p->last_draw = now;
    if (frac > 1) frac = 1;
    if (frac < 0) frac = 0;
    int const filled = (int)(frac * BAR_WIDTH);
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    char rest[32] = "";
    if (left >= 0) snprintf(rest, sizeof rest, ", %.1f s left", left);
    /* labels padded to one width, so that the bar stays put when the phase changes; the
     * erase-to-end clears a longer text drawn before */
    fprintf(stderr, "\r%-15s [%s] %3d%%  %.1f s%s\033[K", label, bar, (int)(frac * 100),
            elapsed, rest);
    fflush(stderr);
    p->shown = true;
}

/* Draws the whole job's bar: rendering, or writing once every sample is rendered. */
static void draw_job(progress *p, const char *label)
{
    double left;
    double const frac = progress_estimate(p, progress_now(), &left);
    bool const writing = p->total == 0 || p->rendered >= p->total;
    draw(p, writing ? "writing" : label, frac, left);
}

int progress_update(void *user, uint64_t done, uint64_t band_total)
{
    progress *const p = user;
    (void)band_total;
    p->rendered = p->done_before + done;
    if (p->enabled) draw_job(p, p->label);
    return 0;
}

int progress_phase_update(void *user, mandel_phase phase, uint64_t done, uint64_t total)
{
    progress *const p = user;
    switch (phase) {
    case MANDEL_PHASE_ORBIT:
    case MANDEL_PHASE_BLA: /* callbacks are not told of it; its own lines if they were */
        p->orbit_seen = true;
        if (p->enabled)
            draw(p, "reference orbit", total ? (double)done / (double)total : 1, -1);
        return 0;
    case MANDEL_PHASE_EXACT:
        if (p->enabled) draw(p, "exact pass", total ? (double)done / (double)total : 1, -1);
        return 0;
    case MANDEL_PHASE_WRITE:
        /* Called just before and just after each band goes to the file. */
        if (!p->writing) progress_write_begin(p);
        else progress_write_end(p, total ? (double)done / (double)total : 1);
        p->writing = !p->writing;
        return 0;
    case MANDEL_PHASE_PIXELS:
        break;
    }
    p->rendered = p->done_before + done;
    if (p->enabled) draw_job(p, p->orbit_seen ? "pixels" : p->label);
    return 0;
}

void progress_write_begin(progress *p) { p->write_start = progress_now(); }

void progress_write_end(progress *p, double written)
{
    p->write_seconds += progress_now() - p->write_start;
    p->written = written;
    if (p->enabled) draw_job(p, p->label);
}

void progress_done(progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        p->shown = false;
    }
}
