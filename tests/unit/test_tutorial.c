/*
 * tests/unit/test_tutorial.c - the tutorial's own picture, pixel for pixel.
 *
 * --bounds -2.5,1,-1,1 at 400x400 with 1000 iterations must give exactly the counts of
 * shared/reference/seed_400x400_1000.u32 (uint32 little-endian, row-major), with every
 * kernel, thread count, and with the interior shortcuts on or off.
 */
#include "../check.h"
#include "mandel.h"

#define N 400

static bool load_reference(uint32_t *ref)
{
    const char *const path = MANDEL_REFERENCE_DIR "/seed_400x400_1000.u32";
    FILE *const f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s: the reference must sit beside the repository\n", path);
        return false;
    }
    uint8_t bytes[4];
    size_t i = 0;
    while (i < (size_t)N * N && fread(bytes, 1, 4, f) == 4)
        ref[i++] = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    bool const whole = i == (size_t)N * N && fgetc(f) == EOF;
    fclose(f);
    if (!whole) fprintf(stderr, "%s is not 160000 uint32 values\n", path);
    return whole;
}

int main(void)
{
    static uint32_t ref[N * N], counts[N * N];
    if (!load_reference(ref)) return 1;
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)N * N; i++) sum += ref[i];
    CHECK_EQ_INT(35387327, sum); /* the reference README's figure: the file is the right one */

    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_view *v;
    CHECK_EQ_INT(MANDEL_OK, mandel_view_new_bounds(ctx, &v, N, N, -2.5, 1, -1, 1));
    mandel_rect const all = {0, 0, N, N};
    for (int isa = MANDEL_ISA_SCALAR; isa < MANDEL_ISA_COUNT; isa++) {
        if (!mandel_isa_available((mandel_isa)isa)) continue;
        mandel_ctx_set(ctx, MANDEL_OPT_ISA, isa);
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
                                "the tutorial says %u\n", mandel_isa_name((mandel_isa)isa),
                                (int)threads, (int)sc, i % N, i / N, counts[i], ref[i]);
                }
                CHECK_EQ_INT(0, diff);
            }
        }
    }
    mandel_view_free(v);
    mandel_ctx_free(ctx);
    return check_report("test_tutorial");
}
