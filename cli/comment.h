/*
 * cli/comment.h - the command line a picture carries in its comment: its words quoted as
 * a POSIX shell quotes them, split back the same way, and shown with control characters
 * escaped.
 */
#ifndef MANDEL_CLI_COMMENT_H
#define MANDEL_CLI_COMMENT_H

#include <stddef.h>

/* `word` as a POSIX shell word: unchanged if it is made of letters, digits and _@%+=:,./-
 * only, else in single quotes with each ' written '\''. Free it; NULL when out of memory. */
char *comment_quote(const char *word);

/* Splits `text` in place into at most max_words words, as a POSIX shell would read it:
 * blanks separate words; '...' keeps its text; "..." keeps its text but for \\ \" \$ \`;
 * a backslash outside quotes keeps the next character. Text a shell would read otherwise
 * is refused: control characters, unquoted $ ` ; & | < > ( ) * ? [ and a ~ that starts a
 * word, $ and ` inside "...", an open quote. (A # that starts a word is kept as text:
 * pictures written before the words were quoted carry '--interior #rrggbb' bare.)
 * (strlen(text) + 1) / 2 words is always enough.
 * Returns the number of words, or -1 with a short reason in *why. */
long comment_split(char *text, char **words, size_t max_words, const char **why);

/* `text` for a terminal: \n, \t, \r, other bytes below 0x20, 0x7f, the C1 controls
 * (U+0080..U+009F) and bytes that are not UTF-8 become \n \t \r or \xHH; the rest is kept.
 * Writes at most out_len bytes (NUL included), ending in "..." when cut. */
void comment_escape(const char *text, char *out, size_t out_len);

/* Bytes comment_escape() needs for `len` bytes of text never to cut, NUL included. */
#define COMMENT_ESCAPED_MAX(len) (4 * (len) + 1)

#endif /* MANDEL_CLI_COMMENT_H */
