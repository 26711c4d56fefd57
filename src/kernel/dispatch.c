/*
 * kernel/dispatch.c - the table of kernels and the run-time choice among them.
 *
 * Compiled with the default flags for the target: nothing here may use an instruction the
 * oldest supported CPU lacks, because it runs before we know what the CPU has.
 */
#ifdef __AVX__
#error "kernel/dispatch.c must be compiled with the target's baseline flags"
#endif

#include "kernel/kernel.h"

#include <stddef.h>

static bool cpu_always(void) { return true; }

/* Each probe exists only where its kernel is built, so a build without SIMD has no unused
 * function. */
#ifdef MANDEL_HAVE_SSE2
static bool cpu_has_sse2(void) { return __builtin_cpu_supports("sse2"); }
#endif
#ifdef MANDEL_HAVE_AVX2
static bool cpu_has_avx2(void) { return __builtin_cpu_supports("avx2"); }
#endif
#ifdef MANDEL_HAVE_AVX512
static bool cpu_has_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#endif

static const struct kernel_impl {
    const char *name;
    kernel_fn *fn;        /* NULL: not built for this target */
    bool (*cpu_has)(void);
    kernel_var_fn *var;   /* the same kernel for any variant (kernel.h) */
} kernels[MANDEL_ISA_COUNT] = {
    [MANDEL_ISA_AUTO] = {"auto", NULL, cpu_always, NULL},
    [MANDEL_ISA_SCALAR] = {"scalar", kernel_scalar, cpu_always, kernel_scalar_var},
#ifdef MANDEL_HAVE_GENERIC
    [MANDEL_ISA_GENERIC] = {"generic", kernel_generic, cpu_always, kernel_generic_var},
#else
    [MANDEL_ISA_GENERIC] = {"generic", NULL, cpu_always, NULL},
#endif
#ifdef MANDEL_HAVE_SSE2
    [MANDEL_ISA_SSE2] = {"sse2", kernel_sse2, cpu_has_sse2, kernel_sse2_var},
#else
    [MANDEL_ISA_SSE2] = {"sse2", NULL, cpu_always, NULL},
#endif
#ifdef MANDEL_HAVE_AVX2
    [MANDEL_ISA_AVX2] = {"avx2", kernel_avx2, cpu_has_avx2, kernel_avx2_var},
#else
    [MANDEL_ISA_AVX2] = {"avx2", NULL, cpu_always, NULL},
#endif
#ifdef MANDEL_HAVE_AVX512
    [MANDEL_ISA_AVX512] = {"avx512", kernel_avx512, cpu_has_avx512, kernel_avx512_var},
#else
    [MANDEL_ISA_AVX512] = {"avx512", NULL, cpu_always, NULL},
#endif
};

const char *kernel_isa_name(mandel_isa isa)
{
    if ((int)isa < 0 || isa >= MANDEL_ISA_COUNT) return NULL;
    return kernels[isa].name;
}

bool kernel_available(mandel_isa isa)
{
    if (isa == MANDEL_ISA_AUTO) return true;
    if ((int)isa < 0 || isa >= MANDEL_ISA_COUNT) return false;
    return kernels[isa].fn != NULL && kernels[isa].cpu_has();
}

kernel_fn *kernel_select(mandel_isa isa, mandel_isa *resolved)
{
    if (isa == MANDEL_ISA_AUTO) {
        for (int i = MANDEL_ISA_COUNT - 1; i > MANDEL_ISA_AUTO; i--) {
            if (kernel_available((mandel_isa)i)) {
                isa = (mandel_isa)i;
                break;
            }
        }
    }
    if (!kernel_available(isa) || isa == MANDEL_ISA_AUTO) return NULL;
    *resolved = isa;
    return kernels[isa].fn;
}

kernel_var_fn *kernel_var_of(kernel_fn *fn)
{
    for (int i = 0; i < MANDEL_ISA_COUNT; i++)
        if (fn != NULL && kernels[i].fn == fn) return kernels[i].var;
    return NULL;
}
