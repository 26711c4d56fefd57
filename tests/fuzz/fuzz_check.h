/*
 * tests/fuzz/fuzz_check.h - FUZZ_CHECK: an assertion that stays on in every build (the
 * corpus replayers run in Release, where assert() is compiled out), and the entry point
 * every fuzz target defines.
 */
#ifndef MANDEL_FUZZ_CHECK_H
#define MANDEL_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: FUZZ_CHECK(%s)\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                 \
        }                                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* MANDEL_FUZZ_CHECK_H */
