/*
 * tests/unit/test_comment.c - the words of a picture's comment (src/picture/words.c): quoted as a
 * POSIX shell quotes them, split back to the same words (fixed cases and 20,000 random
 * word lists), split as /bin/sh itself splits them, refused where a shell would read them
 * otherwise, and escaped for a terminal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mandel.h"
#include "../check.h"

/* mandel_words_quote() into a string of its own (free it). */
static char *comment_quote(const char *word)
{
    size_t const len = mandel_words_quote(word, NULL, 0) + 1;
    char *const out = malloc(len);
    CHECK_EQ_INT((long)len - 1, (long)mandel_words_quote(word, out, len));
    return out;
}

/* Joins words quoted, splits the result, and checks the same words come back. */
static void round_trip(const char *const *words, size_t n)
{
    size_t total = 1;
    char **quoted = malloc(n * sizeof *quoted);
    for (size_t i = 0; i < n; i++) {
        quoted[i] = comment_quote(words[i]);
        total += strlen(quoted[i]) + 1;
    }
    char *const text = malloc(total);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0) strcat(text, " ");
        strcat(text, quoted[i]);
        free(quoted[i]);
    }
    free(quoted);
    size_t const max = (strlen(text) + 1) / 2 + 1;
    char **back = malloc(max * sizeof *back);
    const char *why = NULL;
    long const got = mandel_words_split(text, back, max, &why);
    CHECK_EQ_INT((long)n, got);
    if (got == (long)n)
        for (size_t i = 0; i < n; i++) CHECK_EQ_STR(words[i], back[i]);
    else
        fprintf(stderr, "  why: %s\n", why ? why : "(none)");
    free(back);
    free(text);
}

/* The words /bin/sh reads in `text`, each followed by \001. */
static void shell_words(const char *text, char *out, size_t len)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "for w in %s; do printf '%%s\\001' \"$w\"; done", text);
    out[0] = '\0';
    FILE *const p = popen(cmd, "r");
    if (p == NULL) return;
    size_t const n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    pclose(p);
}

/* mandel_words_split() and /bin/sh read `text` as the same words. */
static void same_as_shell(const char *text)
{
    char copy[2048], ours[4096] = "", theirs[4096];
    snprintf(copy, sizeof copy, "%s", text);
    char *words[1024];
    const char *why;
    long const n = mandel_words_split(copy, words, 1024, &why);
    CHECK_TRUE(n >= 0);
    for (long i = 0; i < n; i++) {
        strcat(ours, words[i]);
        strcat(ours, "\001");
    }
    shell_words(text, theirs, sizeof theirs);
    CHECK_EQ_STR(theirs, ours);
}

static void refused(const char *text, const char *reason)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", text);
    char *words[64];
    const char *why = NULL;
    CHECK_EQ_INT(-1, mandel_words_split(copy, words, 64, &why));
    CHECK_TRUE(why != NULL && strstr(why, reason) != NULL);
}

static void escaped(const char *text, size_t out_len, const char *want)
{
    char out[256];
    mandel_words_escape(text, out, out_len);
    CHECK_EQ_STR(want, out);
    CHECK_TRUE(strlen(out) < out_len);
}

/* A small deterministic generator: the test is the same on every run. */
static uint64_t state = 0x9e3779b97f4a7c15u;
static uint32_t next_random(void)
{
    state = state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(state >> 33);
}

int main(void)
{
    /* Quoting */
    char *q = comment_quote("-0.75,1e-5");
    CHECK_EQ_STR("-0.75,1e-5", q);
    free(q);
    q = comment_quote("my gradient.txt");
    CHECK_EQ_STR("'my gradient.txt'", q);
    free(q);
    q = comment_quote("it's");
    CHECK_EQ_STR("'it'\\''s'", q);
    free(q);
    q = comment_quote("");
    CHECK_EQ_STR("''", q);
    free(q);
    q = comment_quote("#102030");
    CHECK_EQ_STR("'#102030'", q);
    free(q);

    /* Round trips of words a shell would need quoting for */
    const char *const tricky[] = {"mandel", "render", "a b", "'", "''", "\"", "\\", "$HOME",
                                  "`x`", "; rm -rf /", "*", "~", "#x", "", "é ü", "a'b\"c",
                                  "--palette=/tmp/my dir/g.txt", "\t"[0] ? "x" : "y"};
    round_trip(tricky, sizeof tricky / sizeof *tricky);

    /* 20,000 random lists of random words from an alphabet of the troublemakers */
    static const char alphabet[] = "ab09 '\"\\$`;&|<>()*?[]~#=,.-_\xc3\xa9";
    for (int trial = 0; trial < 20000; trial++) {
        char storage[8][24];
        const char *words[8];
        size_t const n = next_random() % 8;
        for (size_t i = 0; i < n; i++) {
            size_t const len = next_random() % 20;
            size_t k = 0;
            while (k < len) {
                char const c = alphabet[next_random() % (sizeof alphabet - 1)];
                if ((unsigned char)c == 0xc3) { /* keep UTF-8 whole: é */
                    storage[i][k++] = '\xc3';
                    storage[i][k++] = '\xa9';
                } else if ((unsigned char)c != 0xa9) {
                    storage[i][k++] = c;
                }
            }
            storage[i][k] = '\0';
            words[i] = storage[i];
        }
        round_trip(words, n);
    }

    /* Old comments (unquoted) split as before */
    char old[] = "mandel render --center -0.74,0.13 --radius 0.05 --interior #102030";
    char *w[16];
    const char *why;
    CHECK_EQ_INT(8, mandel_words_split(old, w, 16, &why));
    CHECK_EQ_STR("#102030", w[7]);
    /* Blanks around words, several in a row, tabs */
    char spaced[] = "  a \t b  ";
    CHECK_EQ_INT(2, mandel_words_split(spaced, w, 16, &why));
    CHECK_EQ_STR("b", w[1]);
    /* max_words is kept */
    char many[] = "a b c";
    CHECK_EQ_INT(-1, mandel_words_split(many, w, 2, &why));

    /* What a shell reads the same way */
    same_as_shell("mandel render --center -0.74,0.13 --interior '#102030'");
    same_as_shell("a 'b c' \"d e\" f\\ g 'it'\\''s' \"q\\\"q\" \"x\\\\y\" \"a\\b\" ''");
    same_as_shell("--palette='my dir/g.txt' -p\"x y\" 'a'\"b\"c");
    same_as_shell("é 'ü' \"ö\"");

    /* What a shell would read otherwise, or not at all */
    refused("a $(touch x)", "shell would interpret");
    refused("a `x`", "shell would interpret");
    refused("a; b", "shell would interpret");
    refused("a && b", "shell would interpret");
    refused("a | b", "shell would interpret");
    refused("a > b", "shell would interpret");
    refused("a < b", "shell would interpret");
    refused("a*", "shell would interpret");
    refused("a?", "shell would interpret");
    refused("[a]", "shell would interpret");
    refused("~/x", "~");
    refused("\"$HOME\"", "would expand");
    refused("\"`id`\"", "would expand");
    refused("'abc", "unterminated");
    refused("\"abc", "unterminated");
    refused("abc\\", "backslash at the end");
    refused("a\nb", "control");
    refused("a\033[2J", "control");
    refused("'a\033'", "control");
    refused("\"a\177\"", "control");
    refused("a\\\033", "control");
    refused("a\x9b", "not UTF-8");
    refused("a\xc0\xaf", "not UTF-8");      /* overlong '/' */
    refused("a\xed\xa0\x80", "not UTF-8");  /* a surrogate */
    refused("a\xc2\x9b", "not UTF-8");      /* C1 CSI */

    /* Escaping for a terminal */
    escaped("plain é text", 64, "plain é text");
    escaped("a\nb\tc\rd", 64, "a\\nb\\tc\\rd");
    escaped("\033[31mred\177", 64, "\\x1b[31mred\\x7f");
    escaped("\x9b \xc2\x9b \xff \xe2\x82", 64, "\\x9b \\xc2\\x9b \\xff \\xe2\\x82");
    escaped("abcdefghij", 11, "abcdefghij");
    escaped("abcdefghij", 10, "abcdef...");
    escaped("\033\033\033", 10, "\\x1b...");
    escaped("abc", 2, ".");
    escaped("abc", 1, "");
    return check_report("test_comment");
}
