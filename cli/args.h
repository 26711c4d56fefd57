/*
 * cli/args.h - strict parsers for command-line values.
 *
 * Each parser accepts the whole text or nothing: no leading or trailing junk, no
 * overflow, no NaN or infinity. On failure it writes a short reason into `why`.
 */
#ifndef MANDEL_CLI_ARGS_H
#define MANDEL_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARGS_WHY_LEN 96

bool args_u32(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *why);
bool args_double(const char *text, double *out, char *why);
/* "WxH" with both sides in 1..max_side. */
bool args_size(const char *text, uint32_t max_side, uint32_t *w, uint32_t *h, char *why);
/* "A,B": two finite numbers. `text` is split in place at the comma; *a_text and *b_text
 * point at the two halves, so the centre keeps every digit the user gave. */
bool args_pair(char *text, double *a, double *b, const char **a_text, const char **b_text,
               char *why);
/* "XMIN,XMAX,YMIN,YMAX": four finite numbers with XMIN < XMAX, YMIN < YMAX. */
bool args_bounds(const char *text, double bounds[4], char *why);

/* A positive decimal number of any magnitude ("3e-5", "1e1086", "5.00E227"): checks the
 * syntax and the sign only, since the value may lie far outside double's range (the
 * library parses it exactly). */
bool args_positive_decimal(const char *text, char *why);

/* "#rrggbb" into rgb[3]. */
bool args_color(const char *text, uint8_t rgb[3], char *why);

#endif /* MANDEL_CLI_ARGS_H */
