/*
 * mandel_internal.h - what every file of libmandel shares: the ctx layout, the allocator,
 * and the two error macros. Nothing here is visible outside the library.
 */
#ifndef MANDEL_INTERNAL_H
#define MANDEL_INTERNAL_H

#include "mandel.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/kernel.h"

struct mandel_ctx {
    mandel_allocator alloc;
    uint32_t n_threads;    /* 0 = all online CPUs */
    mandel_isa isa;        /* as set; resolved per render */
    uint64_t max_pixels;
    uint64_t max_memory;   /* MANDEL_OPT_MAX_MEMORY */
    uint32_t max_iter;
    bool shortcuts;
    bool guess;
    bool exact;            /* MANDEL_OPT_EXACT */
    formula_params formula;   /* formula, power, Julia parameter */
    mandel_engine engine;  /* MANDEL_OPT_ENGINE */
    mandel_progress_fn progress;
    void *progress_user;
    mandel_phase_progress_fn phase_progress;  /* instead of `progress` when set */
    void *phase_progress_user;
    mandel_sink_fn sink;
    void *sink_user;
    mandel_stats stats;
    struct sched_pool *pool;  /* threads kept between renders; NULL until the first */
    mandel_pool *shared;      /* mandel_ctx_set_pool's: then pool is its sched_pool */
    atomic_bool cancel_pending; /* mandel_ctx_cancel: the render running (or the next)
                                 * stops; cleared by the render it cancels */
    /* The last failure's message, whole: in errmsg_fixed when it fits, else in errmsg_heap
     * (from the ctx's allocator; freed when the next long one replaces it, or with the
     * ctx). errmsg points at the one in use, "" after a call that succeeded (ctx_clear). */
    char *errmsg;
    char *errmsg_heap;
    char errmsg_fixed[256];
};

void *ctx_alloc(mandel_ctx *ctx, size_t bytes);
void ctx_free(mandel_ctx *ctx, void *ptr);
char *ctx_strdup(mandel_ctx *ctx, const char *text);

/* Empties the error message: every public function that returns an error code and takes
 * a ctx (or an object holding one) calls this on entry, so mandel_errmsg() is "" after a
 * call that succeeded. */
void ctx_clear(mandel_ctx *ctx);

/* `text` for a message: itself if at most `max` bytes (max < size), else its first bytes
 * and "..." in `buf`, so that user text of any length (a centre of 100,000 digits) gives a
 * message of a readable length. Paths are quoted whole instead. */
const char *ctx_clip(const char *text, size_t max, char *buf, size_t size);
#define CTX_CLIP_LEN 48 /* a buffer for ctx_clip(text, 40, ...) */

/* Makes ctx->pool ready for a job of the ctx's thread count (MANDEL_OPT_THREADS, 0: every
 * online CPU; a shared pool's own count), which goes to *n_threads. Returns MANDEL_OK, MANDEL_ENOMEM or MANDEL_ETHREAD
 * with a message. */
int ctx_pool(mandel_ctx *ctx, uint32_t *n_threads);

/* Records the message of a failure, whole (see struct mandel_ctx), and returns `code`. */
int ctx_fail(mandel_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* FAIL_IF(ctx, cond, code, fmt, ...): if cond, record the message and return code. */
#define FAIL_IF(ctx, cond, code, ...)                   \
    do {                                                \
        if (cond) return ctx_fail((ctx), (code), __VA_ARGS__); \
    } while (0)

/* CHECK(expr): forward a non-zero error code. */
#define CHECK(expr)                     \
    do {                                \
        int const check_err_ = (expr);  \
        if (check_err_ != MANDEL_OK) return check_err_; \
    } while (0)

#endif /* MANDEL_INTERNAL_H */
