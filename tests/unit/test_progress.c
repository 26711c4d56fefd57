/*
 * tests/unit/test_progress.c - the CLI's progress estimate (cli/progress.c): the bar covers
 * the writing of the file, not only the render, and the time left follows each part's pace.
 */
#include "../check.h"
#include "progress.h"

static progress at(uint64_t rendered, double written, double write_seconds)
{
    progress p;
    progress_init(&p, true, 100, "rendering");
    p.start = 0;
    p.rendered = rendered;
    p.written = written;
    p.write_seconds = write_seconds;
    return p;
}

int main(void)
{
    double left;
    /* Half rendered in 8 s, a quarter written in 2 s: 8 s more to render, 6 s to write. */
    progress p = at(50, 0.25, 2);
    CHECK_EQ_DBL(10.0 / 24.0, progress_estimate(&p, 10, &left));
    CHECK_EQ_DBL(14, left);
    /* All rendered, nothing written yet (a whole-field colouring): not 100%; writing is
     * guessed to take as long as the render did. */
    p = at(100, 0, 0);
    CHECK_EQ_DBL(0.5, progress_estimate(&p, 4, &left));
    CHECK_EQ_DBL(4, left);
    /* A 4K PNG's last band: rendered, most of the file still to write, at its pace. */
    p = at(100, 0.5, 3);
    CHECK_EQ_DBL(4.0 / 7.0, progress_estimate(&p, 4, &left));
    CHECK_EQ_DBL(3, left);
    /* Nothing rendered yet: nothing known. */
    p = at(0, 0, 0);
    CHECK_EQ_DBL(0, progress_estimate(&p, 1, &left));
    CHECK_EQ_DBL(-1, left);
    /* Done. */
    p = at(100, 1, 1);
    CHECK_EQ_DBL(1, progress_estimate(&p, 3, &left));
    CHECK_EQ_DBL(0, left);
    return check_report("test_progress");
}
