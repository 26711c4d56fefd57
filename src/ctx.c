/*
 * ctx.c - the ctx: its allocator, options, callbacks and error text. The bottom floor of
 * libmandel: view, sched, deep and io call these helpers; nothing here calls up into an
 * engine (freeing a ctx stops its thread pool, which sched.c owns).
 *
 * Invariant: a ctx stays usable after any failure; every option it holds is within
 * mandel_option_bounds().
 */
#include "mandel_internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "sched.h"

#define DEFAULT_MAX_PIXELS (UINT64_C(1) << 34)
#define MAX_MAX_PIXELS (UINT64_C(1) << 40)

/* MANDEL_OPT_MAX_MEMORY's default: half the physical memory (what the CLI always allowed a
 * picture's buffers), so one render can never drive the machine into its OOM killer; 1 GiB
 * where the size is unknown. */
static uint64_t default_max_memory(void)
{
    long const pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return UINT64_C(1) << 30;
    return (uint64_t)pages * (uint64_t)page / 2;
}

const char *mandel_strerror(int err)
{
    switch (err) {
    case MANDEL_OK: return "success";
    case MANDEL_EINVAL: return "invalid argument";
    case MANDEL_ENOMEM: return "out of memory";
    case MANDEL_ETOOBIG: return "size too large";
    case MANDEL_EISA: return "instruction set not available";
    case MANDEL_ECANCELED: return "cancelled";
    case MANDEL_EIO: return "input/output error";
    case MANDEL_ETHREAD: return "cannot start a thread";
    case MANDEL_EFORMAT: return "unknown format or name";
    default: return "unknown error";
    }
}

static void *std_alloc(void *user, size_t bytes)
{
    (void)user;
    return malloc(bytes);
}

static void std_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

void *ctx_alloc(mandel_ctx *ctx, size_t bytes)
{
    return ctx->alloc.alloc(ctx->alloc.user, bytes == 0 ? 1 : bytes);
}

void ctx_free(mandel_ctx *ctx, void *ptr) { ctx->alloc.free(ctx->alloc.user, ptr); }

char *ctx_strdup(mandel_ctx *ctx, const char *text)
{
    size_t const len = strlen(text);
    char *const copy = ctx_alloc(ctx, len + 1);
    if (copy != NULL) memcpy(copy, text, len + 1);
    return copy;
}

void ctx_clear(mandel_ctx *ctx)
{
    ctx->errmsg = ctx->errmsg_fixed;
    ctx->errmsg_fixed[0] = '\0';
}

const char *ctx_clip(const char *text, size_t max, char *buf, size_t size)
{
    assert(size >= 4);
    if (max > size - 4) max = size - 4;
    if (text == NULL) return "(null)";
    if (strnlen(text, max + 1) <= max) return text;
    memcpy(buf, text, max);
    memcpy(buf + max, "...", 4);
    return buf;
}

/* The message is formatted into a new buffer and only then replaces the old one, so that
 * an argument may quote the previous message. When a long message finds no memory, its
 * first bytes are kept with "..." at the end, so a reader knows it was cut. */
int ctx_fail(mandel_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    char head[sizeof ctx->errmsg_fixed];
    int const n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    size_t const len = n < 0 ? 0 : (size_t)n;
    if (len < sizeof head) {
        memcpy(ctx->errmsg_fixed, head, len + 1);
        ctx->errmsg = ctx->errmsg_fixed;
    } else {
        char *const whole = ctx_alloc(ctx, len + 1);
        if (whole != NULL) {
            vsnprintf(whole, len + 1, fmt, again);
            ctx_free(ctx, ctx->errmsg_heap);
            ctx->errmsg_heap = whole;
            ctx->errmsg = whole;
        } else {
            memcpy(head + sizeof head - 4, "...", 4);
            memcpy(ctx->errmsg_fixed, head, sizeof head);
            ctx->errmsg = ctx->errmsg_fixed;
        }
    }
    va_end(again);
    return code;
}

int ctx_pool(mandel_ctx *ctx, uint32_t *n_threads)
{
    if (ctx->shared != NULL) {
        *n_threads = sched_pool_threads(ctx->pool);
        return MANDEL_OK;
    }
    uint32_t const n = ctx->n_threads != 0 ? ctx->n_threads : sched_online_cpus();
    /* The pool only grows: a smaller request leaves threads asleep. */
    if (ctx->pool != NULL && sched_pool_threads(ctx->pool) < n) {
        sched_pool_free(ctx->pool);
        ctx->pool = NULL;
    }
    if (ctx->pool == NULL) {
        int const err = sched_pool_new(ctx, n, &ctx->pool);
        FAIL_IF(ctx, err == MANDEL_ENOMEM, err, "out of memory for a pool of %u threads", n);
        FAIL_IF(ctx, err != MANDEL_OK, err, "cannot start %u worker threads", n);
    }
    *n_threads = n;
    return MANDEL_OK;
}

mandel_ctx *mandel_ctx_new(const mandel_allocator *alloc)
{
    mandel_allocator const a =
        alloc != NULL ? *alloc : (mandel_allocator){std_alloc, std_free, NULL};
    if (a.alloc == NULL || a.free == NULL) return NULL;
    mandel_ctx *const ctx = a.alloc(a.user, sizeof *ctx);
    if (ctx == NULL) return NULL;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = a;
    ctx_clear(ctx);
    ctx->isa = MANDEL_ISA_AUTO;
    ctx->max_pixels = DEFAULT_MAX_PIXELS;
    ctx->max_memory = default_max_memory();
    ctx->max_iter = UINT32_MAX;
    ctx->shortcuts = true;
    ctx->formula.formula = FORMULA_MANDELBROT;
    ctx->formula.power = 2;
    atomic_init(&ctx->cancel_pending, false);
    return ctx;
}

/* A pool of worker threads shared by ctxs: a sched_pool that takes turns, the ctx its
 * memory comes from, and the holders: its creator until mandel_pool_free, and each ctx set
 * to it. Freed by the last to let go. */
struct mandel_pool {
    mandel_ctx *own;
    sched_pool *sp;
    atomic_uint refs;
};

static void pool_release(mandel_pool *pool)
{
    if (pool == NULL || atomic_fetch_sub(&pool->refs, 1) != 1) return;
    mandel_ctx *const own = pool->own;
    sched_pool_free(pool->sp);
    ctx_free(own, pool);
    mandel_ctx_free(own);
}

int mandel_pool_new(mandel_pool **out, uint32_t n_threads, const mandel_allocator *alloc)
{
    if (out == NULL) return MANDEL_EINVAL;
    *out = NULL;
    if (n_threads > SCHED_MAX_THREADS) return MANDEL_EINVAL;
    mandel_ctx *const own = mandel_ctx_new(alloc);
    if (own == NULL) return alloc != NULL && (alloc->alloc == NULL || alloc->free == NULL)
                                ? MANDEL_EINVAL : MANDEL_ENOMEM;
    mandel_pool *const pool = ctx_alloc(own, sizeof *pool);
    if (pool == NULL) {
        mandel_ctx_free(own);
        return MANDEL_ENOMEM;
    }
    pool->own = own;
    atomic_init(&pool->refs, 1);
    int const err = sched_pool_new(own, n_threads != 0 ? n_threads : sched_online_cpus(),
                                   &pool->sp);
    if (err != MANDEL_OK) {
        ctx_free(own, pool);
        mandel_ctx_free(own);
        return err;
    }
    sched_pool_share(pool->sp);
    *out = pool;
    return MANDEL_OK;
}

void mandel_pool_free(mandel_pool *pool) { pool_release(pool); }

int mandel_ctx_cancel(mandel_ctx *ctx)
{
    /* One lock-free atomic store: nothing else, so that a signal handler may call it. */
    if (ctx == NULL) return MANDEL_EINVAL;
    atomic_store(&ctx->cancel_pending, true);
    return MANDEL_OK;
}

int mandel_ctx_set_pool(mandel_ctx *ctx, mandel_pool *pool)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    if (pool != NULL) atomic_fetch_add(&pool->refs, 1);
    if (ctx->shared != NULL) pool_release(ctx->shared);
    else sched_pool_free(ctx->pool);
    ctx->shared = pool;
    ctx->pool = pool != NULL ? pool->sp : NULL;
    return MANDEL_OK;
}

void mandel_ctx_free(mandel_ctx *ctx)
{
    if (ctx == NULL) return;
    if (ctx->shared != NULL) pool_release(ctx->shared);
    else sched_pool_free(ctx->pool);
    ctx_free(ctx, ctx->errmsg_heap);
    ctx->alloc.free(ctx->alloc.user, ctx);
}

const char *mandel_errmsg(const mandel_ctx *ctx) { return ctx != NULL ? ctx->errmsg : ""; }

int mandel_option_bounds(mandel_option opt, int64_t *lo, int64_t *hi)
{
    int64_t l, h;
    switch (opt) {
    case MANDEL_OPT_THREADS: l = 0; h = SCHED_MAX_THREADS; break;
    case MANDEL_OPT_ISA: l = MANDEL_ISA_AUTO; h = MANDEL_ISA_COUNT - 1; break;
    case MANDEL_OPT_MAX_PIXELS: l = 1; h = (int64_t)MAX_MAX_PIXELS; break;
    case MANDEL_OPT_MAX_ITER: l = 1; h = UINT32_MAX; break;
    case MANDEL_OPT_SHORTCUTS: l = 0; h = 1; break;
    case MANDEL_OPT_GUESS: l = 0; h = 1; break;
    case MANDEL_OPT_EXACT: l = 0; h = 1; break;
    case MANDEL_OPT_FORMULA: l = 0; h = MANDEL_FORMULA_COUNT - 1; break;
    case MANDEL_OPT_POWER: l = 2; h = 64; break;
    case MANDEL_OPT_ENGINE: l = MANDEL_ENGINE_AUTO; h = MANDEL_ENGINE_COUNT - 1; break;
    case MANDEL_OPT_MAX_MEMORY: l = 1; h = INT64_MAX; break;
    default: return MANDEL_EINVAL;
    }
    if (lo) *lo = l;
    if (hi) *hi = h;
    return MANDEL_OK;
}

int mandel_ctx_set(mandel_ctx *ctx, mandel_option opt, int64_t value)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    int64_t lo, hi;
    FAIL_IF(ctx, mandel_option_bounds(opt, &lo, &hi) != MANDEL_OK, MANDEL_EINVAL,
            "unknown option %d", (int)opt);
    FAIL_IF(ctx, value < lo || value > hi, MANDEL_EINVAL,
            "option %d: %lld is outside %lld..%lld", (int)opt, (long long)value,
            (long long)lo, (long long)hi);
    switch (opt) {
    case MANDEL_OPT_THREADS: ctx->n_threads = (uint32_t)value; break;
    case MANDEL_OPT_ISA:
        FAIL_IF(ctx, !kernel_available((mandel_isa)value), MANDEL_EISA,
                "kernel '%s' is not available on this CPU or in this build",
                kernel_isa_name((mandel_isa)value));
        ctx->isa = (mandel_isa)value;
        break;
    case MANDEL_OPT_MAX_PIXELS: ctx->max_pixels = (uint64_t)value; break;
    case MANDEL_OPT_MAX_ITER: ctx->max_iter = (uint32_t)value; break;
    case MANDEL_OPT_SHORTCUTS: ctx->shortcuts = value != 0; break;
    case MANDEL_OPT_GUESS: ctx->guess = value != 0; break;
    case MANDEL_OPT_EXACT: ctx->exact = value != 0; break;
    case MANDEL_OPT_FORMULA: ctx->formula.formula = (formula_kind)value; break;
    case MANDEL_OPT_POWER: ctx->formula.power = (uint32_t)value; break;
    case MANDEL_OPT_ENGINE: ctx->engine = (mandel_engine)value; break;
    case MANDEL_OPT_MAX_MEMORY: ctx->max_memory = (uint64_t)value; break;
    }
    return MANDEL_OK;
}

int mandel_ctx_get(const mandel_ctx *ctx, mandel_option opt, int64_t *value)
{
    if (ctx == NULL || value == NULL) return MANDEL_EINVAL;
    switch (opt) {
    case MANDEL_OPT_THREADS: *value = ctx->n_threads; break;
    case MANDEL_OPT_ISA: *value = ctx->isa; break;
    case MANDEL_OPT_MAX_PIXELS: *value = (int64_t)ctx->max_pixels; break;
    case MANDEL_OPT_MAX_ITER: *value = ctx->max_iter; break;
    case MANDEL_OPT_SHORTCUTS: *value = ctx->shortcuts; break;
    case MANDEL_OPT_GUESS: *value = ctx->guess; break;
    case MANDEL_OPT_EXACT: *value = ctx->exact; break;
    case MANDEL_OPT_FORMULA: *value = ctx->formula.formula; break;
    case MANDEL_OPT_POWER: *value = ctx->formula.power; break;
    case MANDEL_OPT_ENGINE: *value = ctx->engine; break;
    case MANDEL_OPT_MAX_MEMORY: *value = (int64_t)ctx->max_memory; break;
    default: return MANDEL_EINVAL;
    }
    return MANDEL_OK;
}

void mandel_ctx_set_progress(mandel_ctx *ctx, mandel_progress_fn fn, void *user)
{
    if (ctx == NULL) return;
    ctx_clear(ctx);
    ctx->progress = fn;
    ctx->progress_user = user;
    ctx->phase_progress = NULL;
    ctx->phase_progress_user = NULL;
}

void mandel_ctx_set_phase_progress(mandel_ctx *ctx, mandel_phase_progress_fn fn, void *user)
{
    if (ctx == NULL) return;
    ctx_clear(ctx);
    ctx->phase_progress = fn;
    ctx->phase_progress_user = user;
    ctx->progress = NULL;
    ctx->progress_user = NULL;
}

void mandel_ctx_set_sink(mandel_ctx *ctx, mandel_sink_fn fn, void *user)
{
    if (ctx == NULL) return;
    ctx_clear(ctx);
    ctx->sink = fn;
    ctx->sink_user = user;
}

void mandel_ctx_stats(const mandel_ctx *ctx, mandel_stats *out)
{
    if (ctx == NULL || out == NULL) return;
    *out = ctx->stats;
}

int mandel_ctx_set_julia(mandel_ctx *ctx, int on, double re, double im)
{
    if (ctx == NULL) return MANDEL_EINVAL;
    ctx_clear(ctx);
    FAIL_IF(ctx, !isfinite(re) || !isfinite(im), MANDEL_EINVAL,
            "the Julia parameter must be finite");
    ctx->formula.julia = on != 0;
    ctx->formula.julia_re = on ? re : 0;
    ctx->formula.julia_im = on ? im : 0;
    return MANDEL_OK;
}
