/*
 * cli/cmd_info.c - 'mandel info PICTURE...': how a PNG, JPEG or .npy made by mandel was
 * made, its comment shown with control characters escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mandel.h"

int cmd_info(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage: mandel info PICTURE...\n\n"
             "Prints the command line each PNG, JPEG or .npy file made by 'mandel render' was\n"
             "made with (mandel stores it in the file's comment), one a line, after the\n"
             "file's name when there are several. Control characters, and bytes that are not\n"
             "UTF-8, are shown escaped (\\n, \\t, \\x1b). To render it again, or a variation\n"
             "of it:\n"
             "  mandel render --from PICTURE [options] -o FILE\n\n"
             "Options:\n"
             "  -h, --help   this text\n\n"
             "Exit status: 0 if every picture had one, 1 otherwise, 2 usage error.");
        return EXIT_OK;
    }
    if (argc < 2) return cli_error(EXIT_USAGE, "info: give one or more PNG, JPEG or .npy files");
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    char *const comment = malloc(MANDEL_COMMENT_MAX + 1);
    char *const shown = malloc(MANDEL_ESCAPED_MAX(MANDEL_COMMENT_MAX));
    if (ctx == NULL || comment == NULL || shown == NULL) {
        mandel_ctx_free(ctx);
        free(comment);
        free(shown);
        return cli_error(EXIT_FAIL, "out of memory");
    }
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (mandel_image_comment(ctx, argv[i], comment, MANDEL_COMMENT_MAX + 1) != MANDEL_OK) {
            rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
            continue;
        }
        /* A stranger's comment may hold anything: escaped, it cannot drive the terminal. */
        mandel_words_escape(comment, shown, MANDEL_ESCAPED_MAX(MANDEL_COMMENT_MAX));
        if (argc > 2)
            printf("%s: %s\n", argv[i], shown);
        else
            printf("%s\n", shown);
    }
    mandel_ctx_free(ctx);
    free(comment);
    free(shown);
    return rc;
}
