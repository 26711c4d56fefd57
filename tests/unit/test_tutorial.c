/*
 * tests/unit/test_tutorial.c - the tutorial's own picture, pixel for pixel.
 *
 * --bounds -2.5,1,-1,1 at 400x400 with 1000 iterations must give exactly the counts of
 * tests/data/seed_400x400_1000.u32.gz (uint32 little-endian, row-major, gzip-compressed),
 * with every thread count and with the interior shortcuts on or off, for the kernel named
 * on the command line (ctest runs one test per kernel; a kernel this CPU lacks is Skipped).
 */
#include "../check.h"
#include "mandel.h"

#include "../md5.h"

#include <zlib.h>

#define N 400

/* The tutorial's counts, kept gzip-compressed in the repository; the md5 and the sums of
 * the raw array are the reference README's (bench/seed/README.md), so a damaged or wrong
 * file fails here rather than in the comparison. */
static bool load_reference(uint32_t *ref)
{
    const char *const path = MANDEL_TEST_DATA "/seed_400x400_1000.u32.gz";
    static uint8_t bytes[(size_t)N * N * 4 + 1];
    gzFile const f = gzopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return false;
    }
    int const got = gzread(f, bytes, sizeof bytes);
    gzclose(f);
    if (got != N * N * 4) {
        fprintf(stderr, "%s: %d bytes decoded, want %d\n", path, got, N * N * 4);
        return false;
    }
    char md5[33];
    md5_hex(bytes, (size_t)N * N * 4, md5);
    CHECK_EQ_STR("0120b6404aafa59f467e02f8b6b6ffa5", md5);
    for (size_t i = 0; i < (size_t)N * N; i++)
        ref[i] = bytes[4 * i] | bytes[4 * i + 1] << 8 | bytes[4 * i + 2] << 16 |
                 (uint32_t)bytes[4 * i + 3] << 24;
    return true;
}

int main(int argc, char **argv)
{
    static uint32_t ref[N * N], counts[N * N];
    int isa = -1;
    for (int i = MANDEL_ISA_SCALAR; i < MANDEL_ISA_COUNT && argc == 2; i++)
        if (strcmp(argv[1], mandel_isa_name((mandel_isa)i)) == 0) isa = i;
    if (isa < 0) {
        fprintf(stderr, "usage: test_tutorial scalar|generic|sse2|avx2|avx512\n");
        return 2;
    }
    if (!mandel_isa_available((mandel_isa)isa)) {
        printf("test_tutorial: %s is not built or this CPU lacks it: skipped\n", argv[1]);
        return CHECK_SKIP;
    }
    if (!load_reference(ref)) return 1;
    uint64_t sum = 0, at_limit = 0;
    for (size_t i = 0; i < (size_t)N * N; i++) sum += ref[i], at_limit += ref[i] == 1000;
    CHECK_EQ_INT(35387327, sum);
    CHECK_EQ_INT(34534, at_limit);

    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *v;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &v, N, N, -2.5, 1, -1, 1));
    mandel_rect const all = {0, 0, N, N};
    CHECK_EQ_INT(MANDEL_OK, mandel_ctx_set(ctx, MANDEL_OPT_ISA, isa));
    for (int64_t threads = 1; threads <= 3; threads++) {
        for (int64_t sc = 0; sc <= 1; sc++) {
            mandel_ctx_set(ctx, MANDEL_OPT_THREADS, threads);
            mandel_ctx_set(ctx, MANDEL_OPT_SHORTCUTS, sc);
            memset(counts, 0, sizeof counts);
            CHECK_EQ_INT(MANDEL_OK, mandel_render(ctx, v, 1000, all, counts, N, sizeof counts));
            int diff = 0;
            for (size_t i = 0; i < (size_t)N * N; i++) {
                if (counts[i] != ref[i] && diff++ < 5)
                    fprintf(stderr, "%s, %d threads, shortcuts %d: pixel (%zu,%zu) is %u, "
                            "the tutorial says %u\n", argv[1], (int)threads, (int)sc, i % N,
                            i / N, counts[i], ref[i]);
            }
            CHECK_EQ_INT(0, diff);
        }
    }
    mandel_view_free(v);
    mandel_ctx_free(ctx);
    return check_report("test_tutorial");
}
