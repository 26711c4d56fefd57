/*
 * tests/fuzz/fuzz_comment.c - a picture's comment as --from reads it, fed arbitrary text:
 * mandel_words_split(), then the picture-options check, then the option parser, then
 * describe(). Whatever the input:
 *   - split words are as many as the text allows and hold no control character;
 *   - quoting the words and splitting again gives them back;
 *   - escaping any text yields no control character;
 *   - a comment the check accepts parses, and what describe() writes of it is accepted by
 *     the check again and describes itself (a fixed point): a picture made from a
 *     stranger's comment carries a comment that --from takes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/cli.h"
#include "../../cli/render_opts.h"
#include "fuzz_check.h"

/* render_opts.c reports through cli_error (cli_main.c): quietly here. */
int cli_error(int code, const char *fmt, ...)
{
    (void)fmt;
    return code;
}

static bool has_control(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

/* Splits a copy of text; returns the word count (or -1) and the words in *words, which
 * live in *storage. */
static long split(const char *text, char **storage, char ***words)
{
    size_t const len = strlen(text);
    size_t const max = (len + 1) / 2 + 1;
    *storage = malloc(len + 1);
    *words = malloc(max * sizeof **words);
    FUZZ_CHECK(*storage != NULL && *words != NULL);
    memcpy(*storage, text, len + 1);
    const char *why = NULL;
    long const n = mandel_words_split(*storage, *words, max, &why);
    FUZZ_CHECK(n >= 0 || (why != NULL && why[0] != '\0'));
    return n;
}

/* Parses "render WORDS... -o x.png"; returns describe() of it, or NULL if it did not parse. */
static char *parse_describe(char **words, long n)
{
    char **argv = malloc(((size_t)n + 3) * sizeof *argv);
    FUZZ_CHECK(argv != NULL);
    for (long i = 0; i < n; i++) argv[i] = words[i];
    argv[n] = "-o";
    argv[n + 1] = "x.png";
    argv[n + 2] = NULL;
    render_opts o;
    char *text = NULL;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    FUZZ_CHECK(ctx != NULL);
    const char *described;
    if (render_opts_parse((int)n + 2, argv, ctx, &o) < 0 &&
        mandel_spec_describe(o.spec, &described) == MANDEL_OK)
        text = strdup(described);
    mandel_spec_free(o.spec);
    mandel_ctx_free(ctx);
    free(argv);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *const text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    char escaped[MANDEL_ESCAPED_MAX(4096)];
    mandel_words_escape(text, escaped, sizeof escaped);
    FUZZ_CHECK(!has_control(escaped));
    char short_escaped[16];
    mandel_words_escape(text, short_escaped, sizeof short_escaped);
    FUZZ_CHECK(!has_control(short_escaped) && strlen(short_escaped) < sizeof short_escaped);

    char *storage, **words;
    long const n = split(text, &storage, &words);
    if (n >= 0) {
        /* The words again, quoted and split: the same words. */
        size_t total = 1;
        for (long i = 0; i < n; i++) {
            FUZZ_CHECK(!has_control(words[i]));
            total += 4 * strlen(words[i]) + 3;
        }
        char *const joined = malloc(total);
        FUZZ_CHECK(joined != NULL);
        joined[0] = '\0';
        for (long i = 0; i < n; i++) {
            if (i > 0) strcat(joined, " ");
            size_t const used = strlen(joined);
            FUZZ_CHECK(mandel_words_quote(words[i], joined + used, total - used) < total - used);
        }
        char *storage2, **words2;
        FUZZ_CHECK(split(joined, &storage2, &words2) == n);
        for (long i = 0; i < n; i++) FUZZ_CHECK(strcmp(words[i], words2[i]) == 0);
        free(storage2);
        free(words2);
        free(joined);

        /* The picture options of "mandel render ...", through the parser and back. */
        char offence[160] = "";
        if (n >= 2 && strcmp(words[0], "mandel") == 0 && strcmp(words[1], "render") == 0 &&
            render_opts_picture_only((int)n - 1, words + 1, offence, sizeof offence) == 0) {
            char *const first = parse_describe(words + 1, n - 1);
            if (first != NULL) {
                char *storage3, **words3;
                long const n3 = split(first, &storage3, &words3);
                FUZZ_CHECK(n3 >= 2);
                FUZZ_CHECK(render_opts_picture_only((int)n3 - 1, words3 + 1, offence,
                                                    sizeof offence) == 0);
                char *const second = parse_describe(words3 + 1, n3 - 1);
                FUZZ_CHECK(second != NULL && strcmp(first, second) == 0);
                free(second);
                free(storage3);
                free(words3);
                free(first);
            }
        } else if (n >= 2) {
            FUZZ_CHECK(offence[0] != '\0' || strcmp(words[0], "mandel") != 0 ||
                       strcmp(words[1], "render") != 0);
        }
    }
    free(storage);
    free(words);
    free(text);
    return 0;
}
