/*
 * cli/cmd_info.c - 'mandel info PICTURE...': how a PNG, JPEG or .npy made by mandel was made.
 */
#include <string.h>

#include "cli.h"
#include "mandel.h"

int cmd_info(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage: mandel info PICTURE...\n\n"
             "Prints the command line each PNG, JPEG or .npy file made by 'mandel render' was\n"
             "made with (mandel stores it in the file's comment), one a line, after the\n"
             "file's name when there are several. To render it again, or a variation of it:\n"
             "  mandel render --from PICTURE [options] -o FILE\n\n"
             "Options:\n"
             "  -h, --help   this text\n\n"
             "Exit status: 0 if every picture had one, 1 otherwise, 2 usage error.");
        return EXIT_OK;
    }
    if (argc < 2) return cli_error(EXIT_USAGE, "info: give one or more PNG, JPEG or .npy files");
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx == NULL) return cli_error(EXIT_FAIL, "out of memory");
    static char comment[65536];
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (mandel_image_comment(ctx, argv[i], comment, sizeof comment) != MANDEL_OK) {
            rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
            continue;
        }
        if (argc > 2)
            printf("%s: %s\n", argv[i], comment);
        else
            printf("%s\n", comment);
    }
    mandel_ctx_free(ctx);
    return rc;
}
