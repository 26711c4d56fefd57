/*
 * deep/perturb_steps.h - a template (no include guard): included with PS_W (doubles a
 * vector: 2, 4 or 8), PS_NV (vectors in flight) and PS_NAME defined, it defines
 *
 *   static unsigned PS_NAME(lanes *s, steps_ctx *cx, bool de)
 *
 * which does exact steps of lanes 0 .. PS_W * PS_NV - 1 of *s together while they are calm.
 * A lane whose block from its index fits (rmin) takes the block here, after settle()'s
 * checks and with its lookup and formula (bla_dapply), and the loop goes on. The call ends
 * when a lane has any other event (escape or rebase due, or a fitting block the lookup
 * refuses), when one reaches the end of the orbit (len) or max_iter, or after
 * PERTURB_POLL_STEPS steps. It stores dz, m and n of the live lanes back, cx gets the exact
 * steps done (every lane did as many) and the blocks applied, and it returns a bit for each
 * lane settle() must see. The arithmetic of each lane is perturb_pixel's exact step and
 * tests, element by element; with de (a constant where it is inlined) also its derivative.
 */
#define PS_CAT_(a, b, c) a##b##c
#define PS_CAT(a, b, c) PS_CAT_(a, b, c)
#define PS_VD PS_CAT(v, PS_W, d)
#define PS_VI PS_CAT(v, PS_W, i)

#if (PS_W == 2 && !defined(PS_HAVE_GATHER_2)) || (PS_W == 4 && !defined(PS_HAVE_GATHER_4)) || \
    (PS_W == 8 && !defined(PS_HAVE_GATHER_8))
/* z (real and imaginary parts) of the lanes' reference indices m[0..W-1] + i: (re, im)
 * pairs loaded whole and transposed, rather than element by element. */
static inline __attribute__((always_inline)) void PS_CAT(gather_z, PS_W, )(
    const orbit_pt *const *zq, size_t i, PS_VD *re, PS_VD *im)
{
    v2d p[PS_W];
    for (int q = 0; q < PS_W; q++) p[q] = *(const v2du *)&zq[q][i];
#if PS_W == 2
    *re = __builtin_shufflevector(p[0], p[1], 0, 2);
    *im = __builtin_shufflevector(p[0], p[1], 1, 3);
#elif PS_W == 4
    v4d const a = __builtin_shufflevector(p[0], p[2], 0, 1, 2, 3); /* lanes 0, 2 */
    v4d const b = __builtin_shufflevector(p[1], p[3], 0, 1, 2, 3); /* lanes 1, 3 */
    *re = __builtin_shufflevector(a, b, 0, 4, 2, 6);
    *im = __builtin_shufflevector(a, b, 1, 5, 3, 7);
#elif PS_W == 8
    v4d const a0 = __builtin_shufflevector(p[0], p[2], 0, 1, 2, 3);
    v4d const a1 = __builtin_shufflevector(p[4], p[6], 0, 1, 2, 3);
    v4d const b0 = __builtin_shufflevector(p[1], p[3], 0, 1, 2, 3);
    v4d const b1 = __builtin_shufflevector(p[5], p[7], 0, 1, 2, 3);
    v8d const a = __builtin_shufflevector(a0, a1, 0, 1, 2, 3, 4, 5, 6, 7);
    v8d const b = __builtin_shufflevector(b0, b1, 0, 1, 2, 3, 4, 5, 6, 7);
    *re = __builtin_shufflevector(a, b, 0, 8, 2, 10, 4, 12, 6, 14);
    *im = __builtin_shufflevector(a, b, 1, 9, 3, 11, 5, 13, 7, 15);
#else
#error "PS_W must be 2, 4 or 8"
#endif
}

static inline __attribute__((always_inline)) PS_VD PS_CAT(gather_r, PS_W, )(
    const double *const *rq, size_t i)
{
    PS_VD r;
    for (int q = 0; q < PS_W; q++) r[q] = rq[q][i];
    return r;
}
/* A bit for each lane with an event: escape (z2 >= 4), rebase due (z2 < dz2), or a block
 * from its index fits (max(ar, ai) < r). Ordered compares: NaN (a parked lane) gives none.
 * Intrinsics where there are some: GCC makes scalar code of the generic form's reduction. */
static inline __attribute__((always_inline)) unsigned PS_CAT(events, PS_W, )(
    PS_VD z2, PS_VD dz2, PS_VD ar, PS_VD ai, PS_VD r)
{
#if PS_W == 2 && defined(__SSE2__)
    __m128d const e = _mm_or_pd(_mm_or_pd(_mm_cmpge_pd(z2, _mm_set1_pd(4.0)), _mm_cmplt_pd(z2, dz2)),
                                _mm_and_pd(_mm_cmplt_pd(ar, r), _mm_cmplt_pd(ai, r)));
    return (unsigned)_mm_movemask_pd(e);
#elif PS_W == 4 && defined(__AVX__)
    __m256d const e = _mm256_or_pd(
        _mm256_or_pd(_mm256_cmp_pd(z2, _mm256_set1_pd(4.0), _CMP_GE_OQ),
                     _mm256_cmp_pd(z2, dz2, _CMP_LT_OQ)),
        _mm256_and_pd(_mm256_cmp_pd(ar, r, _CMP_LT_OQ), _mm256_cmp_pd(ai, r, _CMP_LT_OQ)));
    return (unsigned)_mm256_movemask_pd(e);
#elif PS_W == 8 && defined(__AVX512F__)
    return (unsigned)(_mm512_cmp_pd_mask(z2, _mm512_set1_pd(4.0), _CMP_GE_OQ) |
                      _mm512_cmp_pd_mask(z2, dz2, _CMP_LT_OQ) |
                      (_mm512_cmp_pd_mask(ar, r, _CMP_LT_OQ) &
                       _mm512_cmp_pd_mask(ai, r, _CMP_LT_OQ)));
#else
    PS_VI const e = (z2 >= 4.0) | (z2 < dz2) | ((ar < r) & (ai < r));
    unsigned b = 0;
    for (int q = 0; q < PS_W; q++) b |= (unsigned)(e[q] != 0) << q;
    return b;
#endif
}
#if PS_W == 2
#define PS_HAVE_GATHER_2
#elif PS_W == 4
#define PS_HAVE_GATHER_4
#else
#define PS_HAVE_GATHER_8
#endif
#endif

static inline __attribute__((always_inline)) unsigned PS_NAME(lanes *s, steps_ctx *cx,
                                                               bool const de)
{
    enum { W = PS_W, NV = PS_NV };
    const orbit_pt *const zo = cx->zo;
    uint32_t const len = cx->len, max_iter = cx->max_iter;
    PS_VD dzr[NV], dzi[NV], dcr[NV], dci[NV], zr[NV], zi[NV], Dr[NV], Di[NV];
    /* each lane's orbit and radii from its index at the call's step 0: moved on by the
     * lane's skips */
    const orbit_pt *zq[W * NV];
    const double *rq[W * NV];
    uint32_t d[W * NV]; /* n - m, which steps and skips keep */
    /* every lane is calm (m < len, n < max_iter) or parked (m = n = 0): k >= 1 */
    uint32_t k = UINT32_MAX;
    for (int q = 0; q < W * NV; q++) {
        uint32_t const m = s->m[q], n = s->n[q];
        zq[q] = zo + m;
        rq[q] = cx->bla->rmin + m;
        d[q] = n - m;
        if (len - m < k) k = len - m;
        if (max_iter - n < k) k = max_iter - n;
        /* keeps GCC from vectorising this: m and n were just written one by one (settle),
         * and a vector load of them would wait for those stores */
        __asm__("" : "+r"(k));
    }
    /* at most a poll's worth of steps a call (perturb_loop.h polls between calls) */
    if (k > PERTURB_POLL_STEPS) k = PERTURB_POLL_STEPS;
    for (int v = 0; v < NV; v++) {
        dzr[v] = *(const PS_VD *)&s->dzr[v * W];
        dzi[v] = *(const PS_VD *)&s->dzi[v * W];
        dcr[v] = *(const PS_VD *)&s->dcr[v * W];
        dci[v] = *(const PS_VD *)&s->dci[v * W];
        if (de) {
            Dr[v] = *(const PS_VD *)&s->Dr[v * W];
            Di[v] = *(const PS_VD *)&s->Di[v * W];
        }
        PS_CAT(gather_z, PS_W, )(zq + v * W, 0, &zr[v], &zi[v]);
    }
    PS_VI const abs_mask = (PS_VI){0} + INT64_MAX;
    double const sd = cx->sd;
    size_t i = 0;
    unsigned done = 0;
    for (;;) {
        for (int v = 0; v < NV; v++) {
            if (de) { /* perturb_pixel's: D' = 2 z D + step, z = Z + dz before the step */
                PS_VD const xr = zr[v] + dzr[v], xi = zi[v] + dzi[v];
                PS_VD const nr = 2.0 * (xr * Dr[v] - xi * Di[v]) + sd;
                PS_VD const ni = 2.0 * (xr * Di[v] + xi * Dr[v]);
                Dr[v] = nr;
                Di[v] = ni;
            }
            PS_VD const tr = (zr[v] + zr[v]) + dzr[v], ti = (zi[v] + zi[v]) + dzi[v];
            PS_VD const nr = (tr * dzr[v] - ti * dzi[v]) + dcr[v];
            PS_VD const ni = (tr * dzi[v] + ti * dzr[v]) + dci[v];
            dzr[v] = nr;
            dzi[v] = ni;
        }
        i++;
    check:;
        unsigned ev = 0;
        for (int v = 0; v < NV; v++) {
            PS_CAT(gather_z, PS_W, )(zq + v * W, i, &zr[v], &zi[v]);
            PS_VD const xr = zr[v] + dzr[v], xi = zi[v] + dzi[v];
            PS_VD const z2 = xr * xr + xi * xi;
            PS_VD const r = PS_CAT(gather_r, PS_W, )(rq + v * W, i);
            PS_VD const ar = (PS_VD)((PS_VI)dzr[v] & abs_mask);
            PS_VD const ai = (PS_VD)((PS_VI)dzi[v] & abs_mask);
            ev |= PS_CAT(events, PS_W, )(z2, dzr[v] * dzr[v] + dzi[v] * dzi[v], ar, ai, r)
                  << (v * W);
        }
        if (__builtin_expect(ev != 0 || i == k, 0)) {
            if (ev == 0) break;
            /* Lanes whose only event is a block that fits take it here, as settle() would
             * (its checks first, then the same lookup and formula), and the loop goes on
             * from their new index; any other event ends the call. */
            double dr[W * NV] __attribute__((aligned(64))), di[W * NV] __attribute__((aligned(64)));
            double Dr_[W * NV] __attribute__((aligned(64))), Di_[W * NV] __attribute__((aligned(64)));
            for (int v = 0; v < NV; v++) {
                *(PS_VD *)&dr[v * W] = dzr[v];
                *(PS_VD *)&di[v * W] = dzi[v];
                if (de) {
                    *(PS_VD *)&Dr_[v * W] = Dr[v];
                    *(PS_VD *)&Di_[v * W] = Di[v];
                }
            }
            unsigned hard = 0, moved = 0;
            for (unsigned b = ev; b != 0; b &= b - 1) {
                int const q = __builtin_ctz(b);
                uint32_t const m = (uint32_t)(zq[q] - zo) + (uint32_t)i, n = m + d[q];
                double const xr = zq[q][i].re + dr[q], xi = zq[q][i].im + di[q];
                double const z2 = xr * xr + xi * xi;
                const bla_dentry *e = NULL;
                uint32_t steps = 0;
                if (z2 < 4.0 && !(z2 < dr[q] * dr[q] + di[q] * di[q]) && m != len &&
                    n < max_iter)
                    e = bla_dlookup(cx->bla, m, max_abs(dr[q], di[q]), max_iter - n, &steps);
                if (e == NULL) {
                    hard |= 1u << q;
                    continue;
                }
                if (de) bla_dapply_d(e, cx->bs, &Dr_[q], &Di_[q]);
                bla_dapply(e, s->l[q].dsr, s->l[q].dsi, &dr[q], &di[q]);
                zq[q] += steps;
                rq[q] += steps;
                cx->skips++;
                cx->skipped += steps;
                moved |= 1u << q;
                /* the lane's new end of the orbit or of its iterations */
                uint32_t const left_m = len - (m + steps), left_n = max_iter - (n + steps);
                uint32_t const left = left_m < left_n ? left_m : left_n;
                if (i + left < k) k = (uint32_t)(i + left);
            }
            for (int v = 0; v < NV; v++) {
                dzr[v] = *(const PS_VD *)&dr[v * W];
                dzi[v] = *(const PS_VD *)&di[v * W];
                if (de) {
                    Dr[v] = *(const PS_VD *)&Dr_[v * W];
                    Di[v] = *(const PS_VD *)&Di_[v * W];
                }
            }
            if (hard != 0) {
                /* a moved lane has not been checked at its new index: settle() does it */
                done = hard | moved;
                break;
            }
            goto check;
        }
    }
    for (int v = 0; v < NV; v++) {
        *(PS_VD *)&s->dzr[v * W] = dzr[v];
        *(PS_VD *)&s->dzi[v * W] = dzi[v];
        if (de) {
            *(PS_VD *)&s->Dr[v * W] = Dr[v];
            *(PS_VD *)&s->Di[v * W] = Di[v];
        }
    }
    for (uint32_t q = 0; q < cx->live; q++) {
        uint32_t const m = (uint32_t)(zq[q] - zo) + (uint32_t)i;
        s->m[q] = m;
        s->n[q] = m + d[q];
    }
    cx->steps = (uint32_t)i;
    return done;
}

#undef PS_W
#undef PS_NV
#undef PS_NAME
#undef PS_VD
#undef PS_VI
