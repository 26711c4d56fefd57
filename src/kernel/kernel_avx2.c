/*
 * kernel/kernel_avx2.c - the escape-time kernel on AVX2: 4 x 4 lanes in flight.
 *
 * Invariant: every count equals kernel_scalar's. Each lane performs kernel_scalar's
 * operations on one pixel, in the same order and without fused multiply-adds (this file is
 * built without -mfma, so none can appear), and tests every iterate, so it produces the
 * same doubles and stops at the same n. What the vector form adds is scheduling only:
 * independent vectors hide the multiply and add latencies, and a lane whose pixel finishes
 * soon takes the row's next pixel (docs/algorithms.md, "Vector kernels").
 *
 * The lane machine is kernel/kernel_lanes_memory.h (with kernel/kernel_lanes.h, what every
 * vector kernel shares); this file gives it the wrappers below and nothing else.
 */
#ifndef __AVX2__
#error "kernel/kernel_avx2.c must be compiled with -mavx2"
#endif

#include "kernel/kernel.h"

#include <immintrin.h>

#define W 4  /* lanes per vector */
#define NV 4 /* independent vectors: the multiply-add chain is ~9 cycles deep */

typedef __m256d vd;
typedef __m256d vm;

static inline vd vset1(double a) { return _mm256_set1_pd(a); }
static inline vd vload(const double *p) { return _mm256_loadu_pd(p); }
static inline void vstore(double *p, vd a) { _mm256_storeu_pd(p, a); }
static inline vd vadd(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline vd vsub(vd a, vd b) { return _mm256_sub_pd(a, b); }
static inline vd vmul(vd a, vd b) { return _mm256_mul_pd(a, b); }
/* Ordered compares: a NaN (an empty lane) never passes. */
static inline vm vge(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
static inline vm veq(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
static inline vm vmzero(void) { return _mm256_setzero_pd(); }
static inline vm vmor(vm a, vm b) { return _mm256_or_pd(a, b); }
static inline vm vmand(vm a, vm b) { return _mm256_and_pd(a, b); }
static inline bool vmany(vm m) { return !_mm256_testz_pd(m, m); }
static inline unsigned vmbits(vm m) { return (unsigned)_mm256_movemask_pd(m); }
/* a where m is set, else b */
static inline vd vsel(vm m, vd a, vd b) { return _mm256_blendv_pd(b, a, m); }

/* For smooth values (kernel_lanes.h, LANES_VSMOOTH). */
static inline vd vdiv(vd a, vd b) { return _mm256_div_pd(a, b); }
static inline vd vabs(vd a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
/* v = 2^e f with f in about [0.75, 1.5], for a positive normal v: f is exact. The exponent
 * field b of v * 4/3 gives e = b - 1023, and 2^-e has the field 2046 - b. */
static inline vd vsplit(vd v, vd *e)
{
    vd const v43 = _mm256_mul_pd(v, _mm256_set1_pd(4.0 / 3.0));
    __m256i const b = _mm256_srli_epi64(_mm256_castpd_si256(v43), 52);
    __m128i const b32 = _mm256_castsi256_si128(
        _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0)));
    *e = _mm256_sub_pd(_mm256_cvtepi32_pd(b32), _mm256_set1_pd(1023.0));
    __m256i const minus_e = _mm256_sub_epi64(_mm256_set1_epi64x(2046), b);
    vd const scale = _mm256_castsi256_pd(_mm256_slli_epi64(minus_e, 52));
    return _mm256_mul_pd(v, scale);
}
/* (double)(float)a, and W floats (float)a to p. */
static inline vd vround_float(vd a) { return _mm256_cvtps_pd(_mm256_cvtpd_ps(a)); }
static inline void vstore_float(float *p, vd a) { _mm_storeu_ps(p, _mm256_cvtpd_ps(a)); }

#define LANES_VSMOOTH 1
#include "kernel/kernel_lanes_memory.h"

void kernel_avx2(const kernel_row *row, uint32_t *counts)
{
    static const kernel_variant classic = {0};
    lanes_run(row, &classic, counts);
}

void kernel_avx2_var(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    lanes_run(row, v, counts);
}
