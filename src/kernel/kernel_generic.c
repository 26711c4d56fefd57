/*
 * kernel/kernel_generic.c - the escape-time kernel in GCC/Clang vector extensions, for any
 * target the compiler can vectorise for (aarch64 NEON, POWER VSX, ...) at its default flags.
 *
 * Invariant: every count equals kernel_scalar's. Each lane performs kernel_scalar's
 * operations on one pixel, in the same order; the global -ffp-contract=off keeps the
 * compiler from fusing them into multiply-adds (aarch64 compilers fuse by default
 * otherwise). Every iterate is tested, so each lane produces the same doubles and stops at
 * the same n. What the vector form adds is scheduling only: independent vectors hide the
 * latencies, and a lane whose pixel finishes soon takes the row's next pixel
 * (docs/algorithms.md, "Vector kernels").
 *
 * The lane machine is kernel/kernel_lanes_memory.h (with kernel/kernel_lanes.h, what every
 * vector kernel shares); this file gives it the wrappers below and nothing else.
 */
#if !defined(__GNUC__)
#error "kernel/kernel_generic.c needs GCC or Clang vector extensions"
#endif

#include "kernel/kernel.h"

#include <string.h>

#define W 2  /* lanes per vector: one 128-bit register on most targets (no ABI surprises) */
#define NV 4 /* independent vectors: the multiply-add chain is ~9 cycles deep */

typedef double vd __attribute__((vector_size(W * sizeof(double))));
typedef int64_t vm __attribute__((vector_size(W * sizeof(int64_t))));

static inline vd vset1(double a) { return (vd){a, a}; }
static inline vd vload(const double *p)
{
    vd v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void vstore(double *p, vd a) { memcpy(p, &a, sizeof a); }
static inline vd vadd(vd a, vd b) { return a + b; }
static inline vd vsub(vd a, vd b) { return a - b; }
static inline vd vmul(vd a, vd b) { return a * b; }
/* Ordered compares: a NaN (an empty lane) never passes. Lanes are 0 or -1. */
static inline vm vge(vd a, vd b) { return (vm)(a >= b); }
static inline vm veq(vd a, vd b) { return (vm)(a == b); }
static inline vm vmzero(void) { return (vm){0, 0}; }
static inline vm vmor(vm a, vm b) { return a | b; }
static inline vm vmand(vm a, vm b) { return a & b; }
static inline bool vmany(vm m) { return (m[0] | m[1]) != 0; }
static inline unsigned vmbits(vm m)
{
    unsigned b = 0;
    for (int i = 0; i < W; i++) b |= (unsigned)(m[i] & 1) << i;
    return b;
}
/* a where m is set, else b */
static inline vd vsel(vm m, vd a, vd b)
{
    vm ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    vm const r = (ia & m) | (ib & ~m);
    vd out;
    memcpy(&out, &r, sizeof out);
    return out;
}

/* |a|: the sign bit cleared, as fabs() (the burning ship's step). */
static inline vd vabs(vd a)
{
    vm b;
    memcpy(&b, &a, sizeof b);
    b &= (vm){INT64_MAX, INT64_MAX};
    memcpy(&a, &b, sizeof a);
    return a;
}

#include "kernel/kernel_lanes_memory.h"

void kernel_generic(const kernel_row *row, uint32_t *counts)
{
    static const kernel_variant classic = {0};
    lanes_run(row, &classic, counts);
}

void kernel_generic_var(const kernel_row *row, const kernel_variant *v, uint32_t *counts)
{
    lanes_run(row, v, counts);
}
