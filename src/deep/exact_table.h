/*
 * deep/exact_table.h - a template (no include guard): the builder of a BLA table of
 * exact.c (double-double) or exact_fe.c (double-double with exponents), which differ only
 * in their entries. Defines ET_BUILD, ET_FREE and ET_LOOKUP from:
 *   ET_TABLE    the table type: levels, count[], level[], storage (exact_bla_layout's)
 *   ET_ENTRY    its entry type
 *   ET_DC       the type of dc_max
 *   ET_SINGLE   ET_ENTRY ET_SINGLE(const exact_ref *o, uint32_t m): one step from m
 *   ET_MERGE    ET_ENTRY ET_MERGE(const ET_ENTRY *x, const ET_ENTRY *y, ET_DC dc_max)
 *   ET_MIN      the shortest level kept (its blocks are merged from single steps as a tree)
 *   ET_ABS      the type of |dz| as the lookup takes it (already rounded up)
 *   ET_FITS     ET_FITS(dz_abs, r): |dz| lies within a block's radius r
 */

int ET_BUILD(const mandel_allocator *a, const exact_ref *o, ET_DC dc_max, ET_TABLE **out)
{
    *out = NULL;
    ET_TABLE *const t = a->alloc(a->user, sizeof *t);
    if (t == NULL) return MANDEL_ENOMEM;
    memset(t, 0, sizeof *t);
    size_t const total = exact_bla_layout(o->len, ET_MIN, t->count, &t->levels);
    if (total > 0) {
        t->storage = a->alloc(a->user, total * sizeof *t->storage);
        if (t->storage == NULL) {
            a->free(a->user, t);
            return MANDEL_ENOMEM;
        }
    }
    size_t at = 0;
    for (uint32_t j = ET_MIN; j < t->levels; j++) {
        t->level[j] = t->storage + at;
        at += t->count[j];
    }
    uint32_t const n0 = UINT32_C(1) << ET_MIN;
    for (uint32_t k = 0; k < t->count[ET_MIN]; k++) {
        ET_ENTRY part[1u << ET_MIN];
        for (uint32_t i = 0; i < n0; i++) part[i] = ET_SINGLE(o, 1 + k * n0 + i);
        for (uint32_t w = n0; w > 1; w /= 2)
            for (uint32_t i = 0; i < w / 2; i++)
                part[i] = ET_MERGE(&part[2 * i], &part[2 * i + 1], dc_max);
        t->level[ET_MIN][k] = part[0];
    }
    for (uint32_t j = ET_MIN + 1; j < t->levels; j++)
        for (uint32_t k = 0; k < t->count[j]; k++)
            t->level[j][k] = ET_MERGE(&t->level[j - 1][2 * k], &t->level[j - 1][2 * k + 1],
                                      dc_max);
    *out = t;
    return MANDEL_OK;
}

void ET_FREE(const mandel_allocator *a, ET_TABLE *t)
{
    if (t == NULL) return;
    a->free(a->user, t->storage);
    a->free(a->user, t);
}

/* The longest block from index m valid for |dz| <= dz_abs within `budget` iterations, or
 * NULL; *steps gets its length. A block's radius never exceeds its first half's (the merge
 * takes the minimum): climb from the shortest and stop at the first that does not fit. */
static inline const ET_ENTRY *ET_LOOKUP(const ET_TABLE *t, uint32_t m, ET_ABS dz_abs,
                                        uint32_t budget, uint32_t *steps)
{
    if (t == NULL || m == 0) return NULL;
    uint32_t const k0 = m - 1;
    const ET_ENTRY *best = NULL;
    for (uint32_t j = ET_MIN; j < t->levels; j++) {
        uint32_t const len = UINT32_C(1) << j;
        if ((k0 & (len - 1)) != 0 || len > budget) break;
        uint32_t const k = k0 >> j;
        if (k >= t->count[j]) break;
        const ET_ENTRY *const e = &t->level[j][k];
        if (!ET_FITS(dz_abs, e->r)) break;
        best = e;
        *steps = len;
    }
    return best;
}

#undef ET_BUILD
#undef ET_LOOKUP
#undef ET_ABS
#undef ET_FITS
#undef ET_FREE
#undef ET_TABLE
#undef ET_ENTRY
#undef ET_DC
#undef ET_SINGLE
#undef ET_MERGE
#undef ET_MIN
