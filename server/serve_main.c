/*
 * server/serve_main.c - `mandel serve`: its options and limits, the start, the wait for
 * SIGINT or SIGTERM, and the clean stop.
 *
 * Invariant: the signals are blocked in every thread (they are blocked before any thread
 * starts) and taken by sigwait() here alone, so a signal never interrupts a render or an
 * MHD thread; the stop sets serve_stopping (running renders cancel at their next progress
 * call, waiting connections drop), stops MHD, then joins the render threads.
 */
#include "serve.h"
#include "server.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mandel.h"

static const char usage_text[] =
    "Usage: mandel serve [options]\n"
    "\n"
    "Serves the explorer: a web page (built into the program) that zooms into the set at\n"
    "any depth, and the tiles and pictures it asks for, computed on every core. Prints the\n"
    "URL it listens on, then serves until SIGINT (Ctrl-C) or SIGTERM, when it cancels the\n"
    "renders in flight and exits 0. It listens on the loopback address only unless --bind\n"
    "says otherwise: what it renders is what strangers ask for, within the limits below.\n"
    "\n"
    "Options:\n"
    "  -p, --port N              TCP port, 0..65535; 0 picks a free one (default 8080)\n"
    "  -b, --bind ADDR           numeric IPv4 or IPv6 address to listen on (default\n"
    "                            127.0.0.1); 0.0.0.0 or :: for every interface\n"
    "  -t, --threads N           worker threads shared by all renders, 0..1024 (default 0:\n"
    "                            every online CPU)\n"
    "      --renders N           renders at once, each with its own context, 1..64\n"
    "                            (default 2)\n"
    "      --queue N             requests waiting for a render, 1..100000, beyond which\n"
    "                            the answer is 503 with Retry-After (default 64)\n"
    "      --cache-mb M          megabytes of finished tiles kept, 0..1048576 (default 256)\n"
    "      --open                open the URL in the desktop's browser (xdg-open)\n"
    "\n"
    "Limits (what one request may ask; beyond them the answer is 400):\n"
    "      --max-size N          width or height of a view, 1..65535 (default 65535)\n"
    "      --max-pixels N        samples of one /render picture (size times aa squared),\n"
    "                            1..2^40 (default 16777216)\n"
    "      --max-iterations N    iteration limit, 1..4294967295 (default 1000000)\n"
    "      --max-digits N        characters of a centre coordinate, radius or zoom,\n"
    "                            1..1000000 (default 5000)\n"
    "      --max-aa N            anti-aliasing factor, 1..8 (default 8)\n"
    "      --max-connections N   connections at once, 1..10000 (default 64)\n"
    "      --per-ip N            connections at once from one address, 1..10000 (default\n"
    "                            16)\n"
    "      --timeout S           seconds a connection may stay idle, and may take to send\n"
    "                            its whole request line and headers, 1..3600 (default 10)\n"
    "      --max-header-bytes N  bytes of request line and headers, 1024..1048576 (default\n"
    "                            16384); beyond, 414 or 431\n"
    "  -h, --help                this text\n"
    "\n"
    "Routes: GET / (the page), /api/info, /tile, /render; docs/server.md describes them.\n"
    "\n"
    "Examples:\n"
    "  mandel serve\n"
    "      the explorer at http://127.0.0.1:8080/\n"
    "  mandel serve --port 0 --threads 2 --cache-mb 64\n"
    "      a free port, two threads a render, 64 MB of tiles\n"
    "\n"
    "Exit status: 0 after SIGINT or SIGTERM, 1 failure (cannot listen), 2 usage error.\n";

enum {
    OPT_RENDERS = 256, OPT_QUEUE, OPT_CACHE, OPT_OPEN, OPT_MAX_SIZE, OPT_MAX_PIXELS,
    OPT_MAX_ITER, OPT_MAX_DIGITS, OPT_MAX_AA, OPT_MAX_CONN, OPT_PER_IP, OPT_TIMEOUT,
    OPT_MAX_HEADER
};

static const struct option long_options[] = {
    {"port", required_argument, NULL, 'p'},
    {"bind", required_argument, NULL, 'b'},
    {"threads", required_argument, NULL, 't'},
    {"renders", required_argument, NULL, OPT_RENDERS},
    {"queue", required_argument, NULL, OPT_QUEUE},
    {"cache-mb", required_argument, NULL, OPT_CACHE},
    {"open", no_argument, NULL, OPT_OPEN},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"max-pixels", required_argument, NULL, OPT_MAX_PIXELS},
    {"max-iterations", required_argument, NULL, OPT_MAX_ITER},
    {"max-digits", required_argument, NULL, OPT_MAX_DIGITS},
    {"max-aa", required_argument, NULL, OPT_MAX_AA},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"per-ip", required_argument, NULL, OPT_PER_IP},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-header-bytes", required_argument, NULL, OPT_MAX_HEADER},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fputs("mandel: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

/* An integer lo..hi, the whole text. */
static bool number(const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (text[0] < '0' || text[0] > '9') return false;
    errno = 0;
    char *end;
    unsigned long long const v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static void open_browser(const char *url)
{
    signal(SIGCHLD, SIG_IGN); /* no zombie: nobody waits for the browser */
    pid_t const pid = fork();
    if (pid == 0) {
        FILE *const null = freopen("/dev/null", "w", stdout);
        (void)null;
        execlp("xdg-open", "xdg-open", url, (char *)NULL);
        _exit(127);
    }
    if (pid < 0) fprintf(stderr, "mandel: --open: cannot start xdg-open: %s\n", strerror(errno));
}

int serve_main(int argc, char **argv)
{
    serve_config cfg = {.limits = {.max_side = 65535, .max_pixels = 16777216,
                                   .max_iterations = 1000000, .max_digits = 5000, .max_aa = 8},
                        .renderers = 2, .threads = 0, .queue = 64,
                        .cache_bytes = UINT64_C(256) << 20, .views = 4};
    serve_http_config http = {.bind = "127.0.0.1", .port = 8080, .max_connections = 64,
                              .per_ip = 16, .timeout_s = 10, .memory_limit = 16384};
    bool open = false;
    opterr = 0;
    optind = 1;
    int c, idx = -1;
    while ((c = getopt_long(argc, argv, ":p:b:t:h", long_options, &idx)) != -1) {
        uint64_t v = 0;
        const char *const arg = optarg;
        const char *const opt = c == 'p' ? "port" : c == 't' ? "threads"
                                : idx >= 0 ? long_options[idx].name : "?";
        idx = -1;
        bool ok = true;
        switch (c) {
        case 'p': ok = number(arg, 0, 65535, &v); http.port = (uint16_t)v; break;
        case 'b': http.bind = arg; break;
        case 't': ok = number(arg, 0, 1024, &v); cfg.threads = (uint32_t)v; break;
        case OPT_RENDERS: ok = number(arg, 1, 64, &v); cfg.renderers = (uint32_t)v; break;
        case OPT_QUEUE: ok = number(arg, 1, 100000, &v); cfg.queue = (uint32_t)v; break;
        case OPT_CACHE: ok = number(arg, 0, 1048576, &v); cfg.cache_bytes = v << 20; break;
        case OPT_OPEN: open = true; break;
        case OPT_MAX_SIZE:
            ok = number(arg, 1, 65535, &v);
            cfg.limits.max_side = (uint32_t)v;
            break;
        case OPT_MAX_PIXELS:
            ok = number(arg, 1, UINT64_C(1) << 40, &v);
            cfg.limits.max_pixels = v;
            break;
        case OPT_MAX_ITER:
            ok = number(arg, 1, UINT32_MAX, &v);
            cfg.limits.max_iterations = (uint32_t)v;
            break;
        case OPT_MAX_DIGITS:
            ok = number(arg, 1, 1000000, &v);
            cfg.limits.max_digits = (uint32_t)v;
            break;
        case OPT_MAX_AA: ok = number(arg, 1, 8, &v); cfg.limits.max_aa = (uint32_t)v; break;
        case OPT_MAX_CONN:
            ok = number(arg, 1, 10000, &v);
            http.max_connections = (uint32_t)v;
            break;
        case OPT_PER_IP: ok = number(arg, 1, 10000, &v); http.per_ip = (uint32_t)v; break;
        case OPT_TIMEOUT: ok = number(arg, 1, 3600, &v); http.timeout_s = (uint32_t)v; break;
        case OPT_MAX_HEADER:
            ok = number(arg, 1024, 1048576, &v);
            http.memory_limit = (size_t)v;
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':':
            return usage_error("option '%s' needs a value (see 'mandel serve --help')",
                               argv[optind - 1], "");
        default:
            return usage_error("unknown option '%s' (see 'mandel serve --help')",
                               argv[optind - 1], "");
        }
        if (!ok)
            return usage_error("--%s '%s': not a number in range (see 'mandel serve --help')",
                               opt, arg);
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s' (see 'mandel serve --help')",
                           argv[optind], "");

    /* Blocked before any thread starts, so every thread inherits the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    int err = tiles_start(&cfg);
    if (err != 0) {
        fprintf(stderr, "mandel: cannot start the render threads: %s\n", strerror(err));
        atomic_store(&serve_stopping, true);
        tiles_stop();
        return 1;
    }
    uint16_t port;
    char why[256];
    if (http_start(&http, &cfg.limits, &port, why, sizeof why) != 0) {
        fprintf(stderr, "mandel: %s\n", why);
        atomic_store(&serve_stopping, true);
        tiles_stop();
        return 1;
    }
    char url[128];
    bool const v6 = strchr(http.bind, ':') != NULL;
    snprintf(url, sizeof url, "http://%s%s%s:%u/", v6 ? "[" : "", http.bind, v6 ? "]" : "",
             (unsigned)port);
    printf("mandel serve: listening on %s (Ctrl-C stops)\n", url);
    fflush(stdout);
    if (open) open_browser(url);

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0) {
    }
    atomic_store(&serve_stopping, true);
    http_stop();
    tiles_stop();
    fprintf(stderr, "mandel serve: stopped by %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}
