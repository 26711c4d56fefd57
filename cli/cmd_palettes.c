/*
 * cli/cmd_palettes.c - 'mandel palettes': the built-in palettes, one a line.
 */
#include <string.h>

#include "cli.h"
#include "mandel.h"

int cmd_palettes(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage: mandel palettes\n\n"
             "Lists the built-in palettes that 'mandel render --palette' accepts, one a line:\n"
             "its name, then what it looks like. --palette also takes a gradient file (see\n"
             "'mandel render --help').\n\n"
             "Options:\n"
             "  -h, --help   this text\n\n"
             "Exit status: 0 success, 2 usage error.");
        return EXIT_OK;
    }
    if (argc > 1) return cli_error(EXIT_USAGE, "palettes: unexpected argument '%s'", argv[1]);
    for (int i = 0; mandel_palette_name(i) != NULL; i++)
        printf("%-10s %s\n", mandel_palette_name(i), mandel_palette_describe(i));
    return EXIT_OK;
}
