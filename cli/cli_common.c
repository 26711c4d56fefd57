/*
 * cli/cli_common.c - helpers of the commands that front ends other than the mandel
 * program link too (mandel-mpi runs 'render' and 'zoom' with the CLI's own code).
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "mandel.h"

void cli_set_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

unsigned long long cli_memory_budget(void)
{
    /* the library's default MANDEL_OPT_MAX_MEMORY: one notion of the limit */
    int64_t limit = INT64_C(1) << 30;
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    if (ctx != NULL) (void)mandel_ctx_get(ctx, MANDEL_OPT_MAX_MEMORY, &limit);
    mandel_ctx_free(ctx);
    return (unsigned long long)limit;
}

/* -o -: the picture's bytes to standard output; a failure's errno (EPIPE when the reader
 * has gone: main ignores SIGPIPE) becomes the library's message. */
int cli_write_stdout(void *user, const void *bytes, size_t len)
{
    (void)user;
    const char *at = bytes;
    while (len > 0) {
        ssize_t const n = write(STDOUT_FILENO, at, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A non-blocking pipe (the reader's choice): wait until it takes more. */
            struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
            if (poll(&pfd, 1, -1) >= 0 || errno == EINTR) continue;
            return errno;
        }
        if (n < 0) return errno;
        at += n;
        len -= (size_t)n;
    }
    return 0;
}
