/*
 * deep/perturb_avx2.c - the perturbation engine's pixel loop (perturb_loop.h) on AVX2:
 * four doubles a vector, PL_NV vectors in flight. Built with -mavx2 and never -mfma (no
 * multiply-add can be fused), so every lane's arithmetic is perturb.c's base loop's, bit for
 * bit (perturb_lanes.h).
 */
#ifndef __AVX2__
#error "deep/perturb_avx2.c must be compiled with -mavx2"
#endif
#ifdef __FMA__
#error "deep/perturb_avx2.c must be compiled without -mfma"
#endif

#include "deep/perturb_lanes.h"

#define PL_W 4
#define PL_NV 2
#define PL_ENTRY perturb_lanes_avx2
#include "deep/perturb_loop.h"
