/*
 * picture/words.c - the command line a picture carries in its comment: its words quoted as
 * a POSIX shell quotes them (mandel_spec_describe), split back the same way (--from,
 * 'mandel colour', the Python package), and shown with control characters escaped
 * ('mandel info').
 *
 * Invariant: words_split() of words joined by spaces after words_quote() gives back
 * exactly those words; and whatever words_split() accepts, a POSIX shell reads as the
 * same words (no expansion, no operator), so a command shown by 'mandel info' means the
 * same pasted into a shell. tests/unit/test_comment.c and tests/fuzz/fuzz_comment.c check
 * the first.
 */
#include "picture/picture.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool is_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_@%+=:,./-", c) != NULL);
}

size_t mandel_words_quote(const char *word, char *out, size_t len)
{
    size_t n = 0, quotes = 0;
    bool plain = word[0] != '\0';
    for (const char *p = word; *p != '\0'; p++, n++) {
        if (!is_safe((unsigned char)*p)) plain = false;
        if (*p == '\'') quotes++;
    }
    /* as it is, or '...' around it with each ' written '\'' (3 more bytes each) */
    size_t const need = plain ? n : n + 3 * quotes + 2;
    if (need >= len) return need;
    if (plain) {
        memcpy(out, word, n + 1);
        return need;
    }
    char *q = out;
    *q++ = '\'';
    for (const char *p = word; *p != '\0'; p++) {
        if (*p == '\'') {
            memcpy(q, "'\\''", 4);
            q += 4;
        } else {
            *q++ = *p;
        }
    }
    *q++ = '\'';
    *q = '\0';
    return need;
}

/* Bytes a terminal may act on. A tab is a blank between words, a control inside one. */
static bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

static size_t utf8_length(const unsigned char *s);

long mandel_words_split(char *text, char **words, size_t max_words, const char **why)
{
    /* Every byte above 0x7f belongs to UTF-8 text, so no word can drive a terminal when an
     * error message shows it. */
    for (const unsigned char *u = (const unsigned char *)text; *u != '\0';) {
        size_t const seq = utf8_length(u);
        if (seq == 0) {
            *why = "bytes that are not UTF-8 text";
            return -1;
        }
        u += seq;
    }
    size_t n = 0;
    const char *p = text;
    char *out = text; /* unquoting only shortens: the words are written over the text */
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0') break;
        if (n == max_words) {
            *why = "too many words";
            return -1;
        }
        words[n++] = out;
        if (*p == '~') {
            *why = "a ~ that a shell would expand";
            return -1;
        }
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            unsigned char const c = (unsigned char)*p;
            if (is_control(c)) {
                *why = "a control character";
                return -1;
            }
            if (c == '\'') {
                for (p++; *p != '\''; p++) {
                    if (*p == '\0') {
                        *why = "an unterminated quote";
                        return -1;
                    }
                    if (is_control((unsigned char)*p)) {
                        *why = "a control character";
                        return -1;
                    }
                    *out++ = *p;
                }
                p++;
            } else if (c == '"') {
                for (p++; *p != '"'; p++) {
                    if (*p == '\0') {
                        *why = "an unterminated quote";
                        return -1;
                    }
                    if (*p == '$' || *p == '`') {
                        *why = "a $ or ` that a shell would expand";
                        return -1;
                    }
                    if (is_control((unsigned char)*p)) {
                        *why = "a control character";
                        return -1;
                    }
                    if (*p == '\\' && p[1] != '\0' && strchr("$`\"\\", p[1]) != NULL) p++;
                    *out++ = *p;
                }
                p++;
            } else if (c == '\\') {
                if (p[1] == '\0') {
                    *why = "a backslash at the end";
                    return -1;
                }
                if (is_control((unsigned char)p[1])) {
                    *why = "a control character";
                    return -1;
                }
                *out++ = p[1];
                p += 2;
            } else if (strchr("$`;&|<>()*?[", c) != NULL) {
                *why = "a character a shell would interpret ($ ` ; & | < > ( ) * ? [)";
                return -1;
            } else {
                *out++ = *p++;
            }
        }
        if (*p != '\0') p++; /* the blank, before the NUL may land on it */
        *out++ = '\0';
    }
    return (long)n;
}

/* Length of the UTF-8 sequence at s (1..4), or 0 if it is not one (overlong, surrogate,
 * above U+10FFFF, cut short) or is a C1 control, which some terminals obey. */
static size_t utf8_length(const unsigned char *s)
{
    uint32_t cp;
    size_t n;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    if (cp <= 0x9f) return 0;
    return n;
}

/* The escaped form of the byte or UTF-8 sequence at s into piece; returns its length and
 * sets *step to the bytes of s it stands for. */
static size_t escape_one(const unsigned char *s, char piece[8], size_t *step)
{
    size_t const seq = utf8_length(s);
    *step = seq == 0 ? 1 : seq;
    if (*s == '\n' || *s == '\t' || *s == '\r') {
        piece[0] = '\\';
        piece[1] = *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r';
        return 2;
    }
    if (seq == 0 || is_control(*s)) {
        snprintf(piece, 8, "\\x%02x", *s);
        return 4;
    }
    memcpy(piece, s, seq);
    return seq;
}

void mandel_words_escape(const char *text, char *out, size_t out_len)
{
    if (out_len == 0) return;
    const unsigned char *s = (const unsigned char *)text;
    size_t used = 0;
    while (*s != '\0') {
        char piece[8];
        size_t step;
        size_t const n = escape_one(s, piece, &step);
        if (used + n + 4 > out_len) {
            /* No room for this piece and "..." after it: unless the rest fits whole, end
             * here with the dots. */
            char scratch[8];
            size_t rest = 0, skip;
            for (const unsigned char *r = s; *r != '\0' && used + rest < out_len; r += skip)
                rest += escape_one(r, scratch, &skip);
            if (used + rest + 1 > out_len) {
                size_t const room = out_len - 1 - used;
                size_t const dots = room < 3 ? room : 3;
                memset(out + used, '.', dots);
                out[used + dots] = '\0';
                return;
            }
        }
        memcpy(out + used, piece, n);
        used += n;
        s += step;
    }
    out[used] = '\0';
}
