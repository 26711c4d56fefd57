/*
 * cli/cmd_bench.c - 'mandel bench': standard scenes timed on 1 thread and on all cores,
 * side by side in one run, through the public API only.
 *
 * Each figure is the best of several runs: the minimum is the least disturbed by the rest
 * of the machine. The bench measures; it asserts nothing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "mandel.h"
#include "progress.h"

typedef struct scene {
    const char *name;
    const char *about;
    uint32_t width, height, max_iter;
    bool bounds;
    double b[4];
    const char *re, *im, *radius;
} scene;

static const scene scenes[] = {
    {"tutorial", "the tutorial: --bounds -2.5,1,-1,1, 400x400, 1000 iterations", 400, 400, 1000,
     true, {-2.5, 1, -1, 1}, NULL, NULL, NULL},
    {"wholeset", "the whole set (default view) at 1920x1080, 1000 iterations", 1920, 1080, 1000,
     false, {0}, "-0.75", "0", "1.25"},
    {"seahorse", "seahorse valley, radius 3e-5, 1280x720, 5000 iterations", 1280, 720, 5000,
     false, {0}, "-0.7436447860", "0.1318252536", "3e-5"},
};

#define N_SCENES (sizeof scenes / sizeof scenes[0])

static const char help_text[] =
    "Usage: mandel bench [options]\n"
    "\n"
    "Times standard scenes with 1 worker thread and with every online CPU, in one run, and\n"
    "prints for each the best time of several runs, pixels and iterations per second, and\n"
    "the speedup of all threads over one. Scenes:\n"
    "  tutorial   the tutorial: --bounds -2.5,1,-1,1, 400x400, 1000 iterations\n"
    "  wholeset   the whole set at 1920x1080, 1000 iterations\n"
    "  seahorse   a boundary-rich zoom into seahorse valley, 1280x720, 5000 iterations\n"
    "\n"
    "Options:\n"
    "  --scene NAME     only this scene (repeatable)\n"
    "  --repeat N       runs per figure, 1..1000 (default 9)\n"
    "  -t, --threads N  the multi-thread column uses N threads (default: online CPUs)\n"
    "  --isa NAME       kernel to time (default auto)\n"
    "  --no-shortcuts   disable the interior tests\n"
    "  -h, --help       this text\n";

typedef struct bench_opts {
    uint32_t repeat, threads;
    mandel_isa isa;
    bool shortcuts;
    bool only[N_SCENES];
    bool any_only;
} bench_opts;

/* One render of the whole scene; *seconds gets its wall time. */
static int time_once(mandel_ctx *ctx, const scene *s, const mandel_view *view, uint32_t *counts,
                     double *seconds)
{
    mandel_rect const rect = {0, 0, s->width, s->height};
    size_t const bytes = (size_t)s->width * s->height * sizeof *counts;
    double const t0 = progress_now();
    if (mandel_render(ctx, view, s->max_iter, rect, counts, s->width, bytes) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "bench %s: %s", s->name, mandel_errmsg(ctx));
    *seconds = progress_now() - t0;
    return EXIT_OK;
}

static int bench_scene(const bench_opts *o, const scene *s)
{
    int rc = EXIT_FAIL;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *view = NULL;
    uint32_t *const counts = malloc((size_t)s->width * s->height * sizeof *counts);
    if (ctx == NULL || counts == NULL) {
        rc = cli_error(EXIT_FAIL, "out of memory");
        goto done;
    }
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, o->shortcuts);
    if (mandel_ctx_set(ctx, MANDEL_OPT_ISA, o->isa) != MANDEL_OK) {
        rc = cli_error(EXIT_USAGE, "--isa: %s", mandel_errmsg(ctx));
        goto done;
    }
    int const err = s->bounds ? mandel_view_new_bounds(ctx, &view, s->width, s->height, s->b[0],
                                                       s->b[1], s->b[2], s->b[3])
                              : mandel_view_new_center(ctx, &view, s->width, s->height, s->re,
                                                       s->im, s->radius);
    if (err != MANDEL_OK) {
        rc = cli_error(EXIT_FAIL, "bench %s: %s", s->name, mandel_errmsg(ctx));
        goto done;
    }
    /* 1 thread and N threads alternate, so that both columns see the same machine: on a
     * shared host the speed of a core drifts from one second to the next. */
    double t1 = 1e300, tn = 1e300;
    for (uint32_t r = 0; r < o->repeat; r++) {
        double t = 0;
        mandel_ctx_set(ctx, MANDEL_OPT_THREADS, 1);
        if ((rc = time_once(ctx, s, view, counts, &t)) != EXIT_OK) goto done;
        if (t < t1) t1 = t;
        mandel_ctx_set(ctx, MANDEL_OPT_THREADS, o->threads);
        if ((rc = time_once(ctx, s, view, counts, &t)) != EXIT_OK) goto done;
        if (t < tn) tn = t;
    }
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    uint64_t const iterations = st.iterations;
    double const mpix = (double)s->width * s->height * 1e-6;
    printf("%-9s %9.2f %9.2f %8.2fx %10.1f %9.3f %9.3f  %s\n", s->name, t1 * 1e3, tn * 1e3,
           t1 / tn, mpix / tn, (double)iterations / t1 * 1e-9, (double)iterations / tn * 1e-9,
           st.isa);
    rc = EXIT_OK;
done:
    mandel_view_free(view);
    mandel_ctx_free(ctx);
    free(counts);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    enum { OPT_SCENE = 256, OPT_REPEAT, OPT_ISA, OPT_NO_SHORTCUTS };
    static const struct option long_options[] = {
        {"scene", required_argument, NULL, OPT_SCENE},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"threads", required_argument, NULL, 't'},
        {"isa", required_argument, NULL, OPT_ISA},
        {"no-shortcuts", no_argument, NULL, OPT_NO_SHORTCUTS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long const online = sysconf(_SC_NPROCESSORS_ONLN);
    bench_opts o = {.repeat = 9, .threads = online > 0 ? (uint32_t)online : 1,
                    .isa = MANDEL_ISA_AUTO, .shortcuts = true};
    char why[ARGS_WHY_LEN];
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":t:h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_SCENE: {
            size_t i = 0;
            while (i < N_SCENES && strcmp(scenes[i].name, optarg) != 0) i++;
            if (i == N_SCENES)
                return cli_error(EXIT_USAGE, "--scene '%s': unknown scene (tutorial, wholeset, "
                                             "seahorse)", optarg);
            o.only[i] = o.any_only = true;
            break;
        }
        case OPT_REPEAT:
            if (!args_u32(optarg, 1, 1000, &o.repeat, why))
                return cli_error(EXIT_USAGE, "--repeat '%s': %s", optarg, why);
            break;
        case 't':
            if (!args_u32(optarg, 1, 1024, &o.threads, why))
                return cli_error(EXIT_USAGE, "--threads '%s': %s", optarg, why);
            break;
        case OPT_ISA: {
            int i = 0;
            while (i < MANDEL_ISA_COUNT && strcmp(optarg, mandel_isa_name((mandel_isa)i)) != 0)
                i++;
            if (i == MANDEL_ISA_COUNT)
                return cli_error(EXIT_USAGE, "--isa '%s': unknown kernel", optarg);
            o.isa = (mandel_isa)i;
            break;
        }
        case OPT_NO_SHORTCUTS: o.shortcuts = false; break;
        case 'h': fputs(help_text, stdout); return EXIT_OK;
        case ':': return cli_error(EXIT_USAGE, "%s: missing value", argv[optind - 1]);
        default: return cli_error(EXIT_USAGE, "unknown option '%s' (see 'mandel bench --help')",
                                  argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_error(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);

    printf("mandel %s bench: best of %u runs; 1 thread vs %u threads; shortcuts %s\n",
           mandel_version_string(), o.repeat, o.threads, o.shortcuts ? "on" : "off");
    printf("%-9s %9s %9s %9s %10s %9s %9s  %s\n", "scene", "1t ms", "Nt ms", "speedup",
           "Nt Mpix/s", "1t Git/s", "Nt Git/s", "kernel");
    for (size_t i = 0; i < N_SCENES; i++) {
        if (o.any_only && !o.only[i]) continue;
        int const rc = bench_scene(&o, &scenes[i]);
        if (rc != EXIT_OK) return rc;
        fflush(stdout);
    }
    return EXIT_OK;
}
