/*
 * deep/perturb_avx512.c - the perturbation engine's pixel loop (perturb_loop.h) on
 * AVX-512: eight doubles a vector, PL_NV vectors in flight. Built with -mavx512f
 * -mavx512dq. AVX-512F has multiply-add instructions of its own (Clang even defines
 * __FMA__ for it), so what keeps every multiply and add separate here is the global
 * -ffp-contract=off, and every lane's arithmetic is perturb.c's base loop's, bit for bit
 * (perturb_lanes.h; test_deep checks it).
 */
#ifndef __AVX512F__
#error "deep/perturb_avx512.c must be compiled with -mavx512f"
#endif

#include "deep/perturb_lanes.h"

#define PL_W 8
#define PL_NV 2
#define PL_ENTRY perturb_lanes_avx512
#include "deep/perturb_loop.h"
