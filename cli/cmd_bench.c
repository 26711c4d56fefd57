/*
 * cli/cmd_bench.c - 'mandel bench': standard scenes timed on 1 thread and on all cores,
 * side by side in one run, through the public API only.
 *
 * Each figure is the best of several runs: the minimum is the least disturbed by the rest
 * of the machine. The bench measures; it asserts nothing.
 */
#include <getopt.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    {"whole10k", "the whole set at 1920x1080, 10000 iterations", 1920, 1080, 10000, false, {0},
     "-0.75", "0", "1.25"},
};

#define N_SCENES (sizeof scenes / sizeof scenes[0])

static const char help_text[] =
    "Usage: mandel bench [options]\n"
    "\n"
    "Times standard scenes side by side in one run, best of several runs each: the plain\n"
    "scalar kernel, the best vector kernel, the vector kernel with interior shortcuts, the\n"
    "same on all CPUs (and the speedup over one), and with --guess (and how many pixels\n"
    "guessing changed). A second table gives iterations per second (sum of counts / time).\n"
    "Scenes:\n"
    "  tutorial   the tutorial: --bounds -2.5,1,-1,1, 400x400, 1000 iterations\n"
    "  wholeset   the whole set at 1920x1080, 1000 iterations\n"
    "  seahorse   a boundary-rich zoom into seahorse valley, 1280x720, 5000 iterations\n"
    "  whole10k   the whole set at 1920x1080, 10000 iterations\n"
    "\n"
    "Options:\n"
    "  --scene NAME     only this scene (repeatable)\n"
    "  --repeat N       exactly N runs per figure, 1..1000 (default: at least 9, and more\n"
    "                   until each scene's columns have run for 4 s; the scalar column\n"
    "                   runs 3 times)\n"
    "  -t, --threads N  the multi-thread column uses N threads (default: online CPUs)\n"
    "  --isa NAME       vector kernel to time against scalar (default: the best this CPU has)\n"
    "  -h, --help       this text\n"
    "\n"
    "Benchmarks measure and print; nothing is written to disk. On a machine whose speed\n"
    "drifts, compare figures from one run only.\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n"
    "\n"
    "Examples:\n"
    "  mandel bench\n"
    "  mandel bench --scene seahorse --repeat 20 -t 4\n";

/* Rounds of the side-by-side columns at most, whatever the time budget. */
#define MAX_ROUNDS 1000
/* Without --repeat: 9 rounds, and more until the columns have run for this long. */
#define DEFAULT_REPEAT 9
#define DEFAULT_MIN_SECONDS 4.0

typedef struct bench_opts {
    uint32_t repeat, threads;
    double min_seconds;      /* keep timing rounds until this long (0: exactly `repeat`) */
    mandel_isa isa;
    bool only[N_SCENES];
    bool any_only;
} bench_opts;

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec * 1e-6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec * 1e-6;
}

/* One render of the whole scene; *seconds gets its wall time, *cpu the CPU time of the
 * process (all threads) during it. */
static int time_once(mandel_ctx *ctx, const scene *s, const mandel_view *view, uint32_t *counts,
                     double *seconds, double *cpu)
{
    mandel_rect const rect = {0, 0, s->width, s->height};
    size_t const bytes = (size_t)s->width * s->height * sizeof *counts;
    double const c0 = cpu_seconds();
    double const t0 = progress_now();
    if (mandel_render(ctx, view, s->max_iter, rect, counts, s->width, bytes) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "bench %s: %s", s->name, mandel_errmsg(ctx));
    *seconds = progress_now() - t0;
    *cpu = cpu_seconds() - c0;
    return EXIT_OK;
}

/* One configuration of the ctx for a column of the table. */
typedef struct config {
    mandel_isa isa;
    bool shortcuts, guess;
    uint32_t threads;
} config;

static void apply(mandel_ctx *ctx, config c)
{
    mandel_ctx_set(ctx, MANDEL_OPT_ISA, c.isa);
    mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, c.shortcuts);
    mandel_ctx_set(ctx, MANDEL_OPT_GUESS, c.guess);
    mandel_ctx_set(ctx, MANDEL_OPT_THREADS, c.threads);
}

/* Best time of `repeat` renders in each of the configurations, taken in turn (a, b, a, b,
 * ...) so that all of them see the same machine: on a shared host the speed of a core
 * drifts from one second to the next. */
static int best_of(mandel_ctx *ctx, const scene *s, const mandel_view *view, uint32_t *counts,
                   uint32_t repeat, double min_seconds, const config *cfg, int n_cfg,
                   double *best, double *busy)
{
    double cpu_sum[8] = {0}, wall_sum[8] = {0};
    for (int c = 0; c < n_cfg; c++) best[c] = 1e300;
    double const start = progress_now();
    /* At least `repeat` rounds, and more until min_seconds have passed: a render of 2 ms
     * needs many more runs than one of 60 ms before its best is not a chance low. */
    for (uint32_t r = 0; r < repeat || (r < MAX_ROUNDS && progress_now() - start < min_seconds);
         r++) {
        for (int c = 0; c < n_cfg; c++) {
            double t = 0, cpu = 0;
            apply(ctx, cfg[c]);
            /* An untimed render first when the configuration changes: the figures are of
             * steady work, not of waking a core that idled through the previous column. */
            int rc = n_cfg > 1 ? time_once(ctx, s, view, counts, &t, &cpu) : EXIT_OK;
            if (rc == EXIT_OK) rc = time_once(ctx, s, view, counts, &t, &cpu);
            if (rc != EXIT_OK) return rc;
            if (t < best[c]) best[c] = t;
            cpu_sum[c] += cpu;
            wall_sum[c] += t * cfg[c].threads;
        }
    }
    /* How much of the runs the threads spent working rather than waiting, over all runs:
     * the CPU clock ticks too coarsely to judge one run of a few milliseconds. */
    for (int c = 0; c < n_cfg && busy != NULL; c++)
        busy[c] = wall_sum[c] > 0 ? cpu_sum[c] / wall_sum[c] : 0;
    return EXIT_OK;
}

typedef struct scene_result {
    double ms[5];          /* scalar, simd, +shortcuts, +shortcuts N threads, +guess N */
    double busy;           /* CPU time / (wall time x N) of the best N-thread run */
    uint64_t iterations;   /* sum of counts */
    uint64_t guess_diff;   /* pixels that guessing changed */
} scene_result;

static int bench_scene(const bench_opts *o, const scene *s, scene_result *res)
{
    int rc = EXIT_FAIL;
    size_t const n = (size_t)s->width * s->height;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *view = NULL;
    uint32_t *const counts = malloc(n * sizeof *counts);
    uint32_t *const exact = malloc(n * sizeof *counts);
    if (ctx == NULL || counts == NULL || exact == NULL) {
        rc = cli_error(EXIT_FAIL, "out of memory");
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
    config const scalar = {MANDEL_ISA_SCALAR, false, false, 1};
    config const simd = {o->isa, false, false, 1};
    config const fast1 = {o->isa, true, false, 1};
    config const fastn = {o->isa, true, false, o->threads};
    config const guess = {o->isa, true, true, o->threads};
    /* The scalar kernel is ten times slower: fewer runs of it. */
    uint32_t const few = o->repeat < 3 ? o->repeat : 3;
    if ((rc = best_of(ctx, s, view, counts, few, 0, &scalar, 1, &res->ms[0], NULL)) != EXIT_OK)
        goto done;
    config const pair[] = {simd, fast1, fastn, guess};
    double best[4], busy[4] = {0};
    if ((rc = best_of(ctx, s, view, counts, o->repeat, o->min_seconds, pair, 4, best, busy)) != EXIT_OK) goto done;
    res->busy = busy[2];
    for (int c = 0; c < 4; c++) res->ms[c + 1] = best[c] * 1e3;
    res->ms[0] *= 1e3;

    /* Guessing against the exact field. */
    double cpu;
    apply(ctx, fastn);
    if ((rc = time_once(ctx, s, view, exact, &best[0], &cpu)) != EXIT_OK) goto done;
    mandel_stats st;
    mandel_ctx_stats(ctx, &st);
    res->iterations = st.iterations;
    apply(ctx, guess);
    if ((rc = time_once(ctx, s, view, counts, &best[0], &cpu)) != EXIT_OK) goto done;
    res->guess_diff = 0;
    for (size_t i = 0; i < n; i++) res->guess_diff += counts[i] != exact[i];
    rc = EXIT_OK;
done:
    mandel_view_free(view);
    mandel_ctx_free(ctx);
    free(counts);
    free(exact);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    enum { OPT_SCENE = 256, OPT_REPEAT, OPT_ISA };
    static const struct option long_options[] = {
        {"scene", required_argument, NULL, OPT_SCENE},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"threads", required_argument, NULL, 't'},
        {"isa", required_argument, NULL, OPT_ISA},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long const online = sysconf(_SC_NPROCESSORS_ONLN);
    bench_opts o = {.repeat = DEFAULT_REPEAT, .min_seconds = DEFAULT_MIN_SECONDS, .threads = online > 0 ? (uint32_t)online : 1,
                    .isa = MANDEL_ISA_AUTO};
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
                                             "seahorse, whole10k)", optarg);
            o.only[i] = o.any_only = true;
            break;
        }
        case OPT_REPEAT:
            if (!cli_whole(optarg, MAX_ROUNDS, &o.repeat))
                return cli_error(EXIT_USAGE, "--repeat '%s': must be 1..%u", optarg, MAX_ROUNDS);
            o.min_seconds = 0;
            break;
        case 't':
            if (!cli_whole(optarg, 1024, &o.threads))
                return cli_error(EXIT_USAGE, "--threads '%s': must be 1..1024", optarg);
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
        case 'h': fputs(help_text, stdout); return EXIT_OK;
        case ':': return cli_error(EXIT_USAGE, "%s: missing value", argv[optind - 1]);
        default: return cli_error(EXIT_USAGE, "unknown option '%s' (see 'mandel bench --help')",
                                  argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_error(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);

    mandel_isa best = MANDEL_ISA_SCALAR;
    for (int i = MANDEL_ISA_COUNT - 1; i > MANDEL_ISA_AUTO; i--) {
        if (mandel_isa_available((mandel_isa)i)) {
            best = (mandel_isa)i;
            break;
        }
    }
    if (o.isa == MANDEL_ISA_AUTO) o.isa = best;
    if (!mandel_isa_available(o.isa))
        return cli_error(EXIT_USAGE, "--isa '%s': this CPU or build lacks it",
                         mandel_isa_name(o.isa));
    if (o.min_seconds > 0)
        printf("mandel %s bench, best of >= %u runs (more in %.1f s; scalar: of %u); kernel "
               "%s; %u threads\n",
               mandel_version_string(), o.repeat, o.min_seconds, o.repeat < 3 ? o.repeat : 3,
               mandel_isa_name(o.isa), o.threads);
    else
        printf("mandel %s bench, best of %u runs (scalar: of %u); kernel %s; %u threads\n",
               mandel_version_string(), o.repeat, o.repeat < 3 ? o.repeat : 3,
               mandel_isa_name(o.isa), o.threads);
    printf("columns: scalar = plain C kernel, 1 thread; %s = vector kernel, 1 thread; "
           "+sc = with interior\nshortcuts; xN = +sc on %u threads; busy = CPU time of xN / "
           "(wall time x N); guess = xN\nwith --guess, and the pixels it changed. Columns are "
           "timed in turn, each after an\nuntimed warm-up render.\n\n",
           mandel_isa_name(o.isa), o.threads);
    printf("%-9s %10s %10s %10s %10s %8s %6s %10s %10s\n", "time ms", "scalar",
           mandel_isa_name(o.isa), "+sc", "xN", "N/1", "busy", "guess", "changed");
    scene_result res[N_SCENES];
    for (size_t i = 0; i < N_SCENES; i++) {
        if (o.any_only && !o.only[i]) continue;
        int const rc = bench_scene(&o, &scenes[i], &res[i]);
        if (rc != EXIT_OK) return rc;
        const double *const ms = res[i].ms;
        printf("%-9s %10.2f %10.2f %10.2f %10.2f %7.2fx %5.0f%% %10.2f %10llu\n",
               scenes[i].name, ms[0], ms[1], ms[2], ms[3], ms[2] / ms[3], res[i].busy * 100,
               ms[4], (unsigned long long)res[i].guess_diff);
        fflush(stdout);
    }
    printf("\n%-9s %10s %10s %10s %10s   (G iterations/s: sum of counts / time)\n", "rate",
           "scalar", mandel_isa_name(o.isa), "+sc", "xN");
    for (size_t i = 0; i < N_SCENES; i++) {
        if (o.any_only && !o.only[i]) continue;
        double const it = (double)res[i].iterations * 1e-6; /* per ms -> G/s */
        printf("%-9s %10.3f %10.3f %10.3f %10.3f\n", scenes[i].name, it / res[i].ms[0],
               it / res[i].ms[1], it / res[i].ms[2], it / res[i].ms[3]);
    }
    return EXIT_OK;
}
