/*
 * tests/check.h - the whole test harness: a few macros that print what was expected, what
 * came instead, and where, then count the failure. main() returns check_report().
 */
#ifndef MANDEL_TESTS_CHECK_H
#define MANDEL_TESTS_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ctest shows "Skipped" for this exit code (SKIP_RETURN_CODE). */
#define CHECK_SKIP 77

static int check_failures;
static int check_count;

#define CHECK_TRUE(cond)                                                              \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK_TRUE(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(expected, actual)                                                  \
    do {                                                                                \
        long long const e_ = (long long)(expected), a_ = (long long)(actual);           \
        check_count++;                                                                  \
        if (e_ != a_) {                                                                 \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, \
                    #actual, e_, a_);                                                   \
        }                                                                               \
    } while (0)

#define CHECK_EQ_U32(expected, actual)                                                  \
    do {                                                                                \
        uint32_t const e_ = (expected), a_ = (actual);                                  \
        check_count++;                                                                  \
        if (e_ != a_) {                                                                 \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: expected %" PRIu32 ", got %" PRIu32 "\n",       \
                    __FILE__, __LINE__, #actual, e_, a_);                               \
        }                                                                               \
    } while (0)

#define CHECK_EQ_DBL(expected, actual)                                                  \
    do {                                                                                \
        double const e_ = (expected), a_ = (actual);                                    \
        check_count++;                                                                  \
        if (!(e_ == a_)) {                                                              \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: expected %.17g, got %.17g\n", __FILE__,         \
                    __LINE__, #actual, e_, a_);                                         \
        }                                                                               \
    } while (0)

#define CHECK_EQ_STR(expected, actual)                                                  \
    do {                                                                                \
        const char *const e_ = (expected), *const a_ = (actual);                        \
        check_count++;                                                                  \
        if (a_ == NULL || strcmp(e_, a_) != 0) {                                        \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s: expected \"%s\", got \"%s\"\n", __FILE__,       \
                    __LINE__, #actual, e_, a_ ? a_ : "(null)");                         \
        }                                                                               \
    } while (0)

static inline int check_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif /* MANDEL_TESTS_CHECK_H */
