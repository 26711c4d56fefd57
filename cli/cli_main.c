/*
 * cli/cli_main.c - the mandel program: global options and the dispatch to subcommands.
 *
 * The program sees only the public mandel.h, like any other user of libmandel.
 */
#include "cli.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mandel.h"
#ifdef MANDEL_SERVER
#include "serve.h"
#endif

static const char usage_text[] =
    "Usage: mandel <command> [options]\n"
    "       mandel --help | --version\n"
    "\n"
    "mandel renders the Mandelbrot set on every core of the machine.\n"
    "\n"
    "Commands:\n"
    "  render     compute a view and write it as PNG, JPEG, PPM, PGM, PBM or NumPy .npy\n"
    "  bench      time standard scenes on 1 thread and on all cores\n"
    "  palettes   list the built-in palettes\n"
    "  info       print the command a PNG, JPEG or .npy made by mandel was rendered with\n"
    "  colour     colour data saved as .npy without iterating again\n"
    "  zoom       a zoom video (.mp4, .webm, .mkv, .y4m, or numbered pictures) into a view\n"
    "  serve      the explorer: a web page and tile server on this machine\n"
    "\n"
    "Options:\n"
    "  -h, --help     this text\n"
    "  -V, --version  the version of mandel and libmandel\n"
    "\n"
    "Run 'mandel <command> --help' for the options of a command, 'man mandel' for the\n"
    "manual.\n"
    "\n"
    "Examples:\n"
    "  mandel render -o mandel.png\n"
    "      the whole set, 1200x800, with the default palette\n"
    "  mandel render --bounds -2.5,1,-1,1 -s 400x400 -i 1000 -p viridis -o tutorial.png\n"
    "      the tutorial's picture, pixel for pixel\n"
    "  mandel render -c -0.7436447860,0.1318252536 -r 3e-5 -i 5000 -o seahorse.jpg\n"
    "      a zoom into seahorse valley\n"
    "  mandel render -s 640x480 -o - --format png | display\n"
    "      the picture on standard output, for a pipeline\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error, 130 interrupted.\n";

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mandel: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int main(int argc, char **argv)
{
    /* A closed pipe (mandel render -o - ... | head) is a write error with EPIPE, reported in
     * one line with exit status 1, not a silent death by SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *const cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("mandel %s\n", mandel_version_string());
        return EXIT_OK;
    }
    if (strcmp(cmd, "render") == 0) return cmd_render(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0) return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "palettes") == 0) return cmd_palettes(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0) return cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "colour") == 0 || strcmp(cmd, "color") == 0)
        return cmd_colour(argc - 1, argv + 1);
    if (strcmp(cmd, "zoom") == 0) return cmd_zoom(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) {
#ifdef MANDEL_SERVER
        return serve_main(argc - 1, argv + 1);
#else
        return cli_error(EXIT_FAIL, "serve: this build has no server (configured with "
                                    "MANDEL_SERVER=OFF or without libmicrohttpd-dev)");
#endif
    }
    if (cmd[0] == '-') return cli_error(EXIT_USAGE, "unknown option '%s' (see 'mandel --help')", cmd);
    return cli_error(EXIT_USAGE, "unknown command '%s' (see 'mandel --help')", cmd);
}
