/*
 * kernel/kernel_avx512.c - the escape-time kernel on AVX-512: 4 to 6 x 8 lanes in flight.
 *
 * Invariant: every count equals kernel_scalar's. Each lane performs kernel_scalar's
 * operations on one pixel, in the same order and without fused multiply-adds, so it produces
 * the same doubles, and it stops at the same n: the escape test runs every 12th step (limits
 * above 256), and a lane found escaped is stepped again from z saved at the batch's start,
 * testing every step, which finds the first iterate that passes
 * (kernel/kernel_lanes_registers.h, "the batched escape test", has the argument). What the
 * vector form adds is scheduling only: independent vectors hide the multiply and add
 * latencies, and a lane whose pixel finishes soon takes the row's next pixel instead of
 * waiting for the slowest lane (docs/algorithms.md, "Vector kernels").
 *
 * The machines are kernel/kernel_lanes_registers.h (with kernel/kernel_lanes.h, what every
 * vector kernel shares); this file gives them the wrappers below and nothing else.
 */
#ifndef __AVX512F__
#error "kernel/kernel_avx512.c must be compiled with -mavx512f"
#endif

#include "kernel/kernel.h"

#include <immintrin.h>

#define W 8  /* lanes per vector */
#define NV 4 /* independent vectors: the multiply-add chain is ~9 cycles deep */

typedef __m512d vd;
typedef __mmask8 vm;

static inline vd vset1(double a) { return _mm512_set1_pd(a); }
static inline vd vload(const double *p) { return _mm512_loadu_pd(p); }
static inline void vstore(double *p, vd a) { _mm512_storeu_pd(p, a); }
static inline vd vadd(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline vd vsub(vd a, vd b) { return _mm512_sub_pd(a, b); }
static inline vd vmul(vd a, vd b) { return _mm512_mul_pd(a, b); }
/* Ordered compares: a NaN (an empty lane) never passes. */
static inline vm vge(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
static inline vm veq(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
static inline vm vmzero(void) { return 0; }
static inline vm vmor(vm a, vm b) { return (vm)(a | b); }
static inline vm vmand(vm a, vm b) { return (vm)(a & b); }
static inline bool vmany(vm m) { return m != 0; }
static inline unsigned vmbits(vm m) { return m; }
/* a where m is set, else b */
static inline vd vsel(vm m, vd a, vd b) { return _mm512_mask_blend_pd(m, b, a); }

/* The lanes of m as a mask: bit i is lane i. */
static inline vm vmask(unsigned bits) { return (vm)bits; }
/* a where m is clear; where m is set, the next elements of p, in lane order. */
static inline vd vexpand(vd a, vm m, const double *p) { return _mm512_mask_expandloadu_pd(a, m, p); }

/* The lanes of m, in order, to lanes 0, 1, ...; the others 0. (The register form: on Zen 4
 * a compress straight to memory is much slower.) */
static inline vd vcompress(vm m, vd a) { return _mm512_maskz_compress_pd(m, a); }

/* Stores the lanes of m to p; the others of p are untouched. */
static inline void vstore_mask(double *p, vm m, vd a) { _mm512_mask_storeu_pd(p, m, a); }

/* Ordered: a NaN (an empty lane) is never below anything. */
static inline vm vlt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
/* !(a < b): unordered, so a NaN passes. */
static inline vm vnlt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_NLT_UQ); }
/* Lanes 0..n-1 (n <= W) from p, the others NaN; reads nothing past p[n - 1]. */
static inline vd vload_n(const double *p, unsigned n)
{
    return _mm512_mask_loadu_pd(_mm512_set1_pd(__builtin_nan("")), (__mmask8)((1u << n) - 1), p);
}

/* Counts, CW per vector: 16 x uint32. */
#define CW 16
typedef __m512i vc;
static inline vc vcset1(uint32_t a) { return _mm512_set1_epi32((int)a); }
static inline vc vcinc(vc a) { return _mm512_add_epi32(a, _mm512_set1_epi32(1)); }
/* b, except that the lanes whose bit is set in m (bit i: lane i) take a. */
static inline vc vcput(unsigned m, vc a, vc b) { return _mm512_mask_mov_epi32(b, (__mmask16)m, a); }
/* Stores lanes 0..n-1 (n <= CW) to p; writes nothing past p[n - 1]. */
static inline void vcstore_n(uint32_t *p, vc a, unsigned n)
{
    if (n == CW)
        _mm512_storeu_si512(p, a);
    else
        _mm512_mask_storeu_epi32(p, (__mmask16)((1u << n) - 1), a);
}

/* For smooth values (kernel_lanes.h, LANES_VSMOOTH). */
static inline vd vdiv(vd a, vd b) { return _mm512_div_pd(a, b); }
static inline vd vabs(vd a) { return _mm512_abs_pd(a); }
/* v = 2^e f with f in about [0.75, 1.5], for a positive normal v: f is exact. */
static inline vd vsplit(vd v, vd *e)
{
    *e = _mm512_getexp_pd(_mm512_mul_pd(v, _mm512_set1_pd(4.0 / 3.0)));
    return _mm512_scalef_pd(v, _mm512_sub_pd(_mm512_setzero_pd(), *e));
}
/* (double)(float)a, and W floats (float)a to p. */
static inline vd vround_float(vd a) { return _mm512_cvtps_pd(_mm512_cvtpd_ps(a)); }
static inline void vstore_float(float *p, vd a) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(a)); }

#define LANES_VSMOOTH 1
#define LANES_IN_REGISTERS 1
#include "kernel/kernel_lanes_registers.h"

void kernel_avx512(const kernel_row *row, uint32_t *counts)
{
    static const kernel_variant classic = {0};
    lanes_run(row, &classic, counts);
}

void kernel_avx512_var(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    lanes_run(row, v, counts);
}
