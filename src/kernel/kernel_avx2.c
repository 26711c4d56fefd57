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
 * The lane machine is kernel/kernel_lanes.h, shared by every vector kernel; this file gives
 * it the wrappers below and nothing else.
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

#include "kernel/kernel_lanes.h"

void kernel_avx2(const kernel_row *row, uint32_t *counts) { lanes_run(row, counts); }
